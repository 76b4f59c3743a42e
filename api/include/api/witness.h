// The witness layer as the HTTP handlers see it (issue 4, "Witnessing and
// split-view defence"). node/witness implements it; api/ only forwards
// requests, so api/ does not depend on node/.
//
// Threads: every method may be called concurrently from any I/O thread.
#ifndef UDI_API_WITNESS_H_
#define UDI_API_WITNESS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "api/http.h"
#include "api/routes.h"

namespace api {

class Service;

class Witness {
 public:
  virtual ~Witness() = default;

  // `signed_note`, a held checkpoint of `origin` as stored, with every
  // cosignature collected so far for exactly that checkpoint text appended
  // (this node's and those pulled from peers). Unchanged when there are none.
  virtual std::string Cosigned(const std::string& origin,
                               const std::string& signed_note) const = 0;
  // POST /v1/logs/{origin}/checkpoint (gossip): `note` is the request body,
  // not yet parsed. Calls `reply` exactly once, possibly later on another
  // thread: 200 consistent, 202 consistent and ahead of the held log, 400
  // malformed or badly signed, 404 origin not held, 409 split view (body
  // carries the evidence), 503 undecidable now (no peer answered).
  virtual void SubmitCheckpoint(const std::string& origin,
                                const std::string& note, Reply reply) = 0;
  // GET /v1/alarms body: {"alarms": [...]}.
  virtual nlohmann::json Alarms() const = 0;
  // GET /v1/witness body: {"name": ..., "cosignerKey": ...}.
  virtual nlohmann::json Info() const = 0;
};

// Installs the witness that `service`'s handlers use (nullptr: none; gossip,
// alarms and witness routes then answer 404 and checkpoints are served without
// cosignatures). Call before serving; `witness` must outlive the service.
void InstallWitness(const Service& service, Witness* witness);
// The installed witness, or nullptr.
Witness* WitnessOf(const Service& service);

}  // namespace api

#endif  // UDI_API_WITNESS_H_
