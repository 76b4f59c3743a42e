// Gossip, alarms and witness info (issue 4): thin handlers over api::Witness.
#include <map>
#include <mutex>

#include "api/handlers_internal.h"
#include "api/witness.h"

namespace api {

namespace {

// Service → its witness. A registry here rather than a Service member keeps
// the witness optional and out of service.h.
std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::map<const Service*, Witness*>& Registry() {  // guarded by RegistryMutex
  static std::map<const Service*, Witness*> registry;
  return registry;
}

// Gossip bodies are one checkpoint note with its signature lines (the C2SP
// signed-note limit of 100 lines of at most a few hundred bytes).
constexpr size_t kMaxGossipBody = 64 * 1024;

Witness* WitnessOrReply(const Service& service, const Reply& reply) {
  Witness* witness = WitnessOf(service);
  if (!witness) reply(ErrorResponse(404, "this node runs no witness"));
  return witness;
}

}  // namespace

void InstallWitness(const Service& service, Witness* witness) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (witness) {
    Registry()[&service] = witness;
  } else {
    Registry().erase(&service);
  }
}

Witness* WitnessOf(const Service& service) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(&service);
  return it == Registry().end() ? nullptr : it->second;
}

UDI_HANDLER(HandleSubmitCheckpoint) {
  (void)caller;
  if (request.body.size() > kMaxGossipBody) {
    return reply(ErrorResponse(
        413, "body: a checkpoint note is at most 65536 bytes", "body"));
  }
  if (Witness* witness = WitnessOrReply(service, reply)) {
    witness->SubmitCheckpoint(request.path_params.at("origin"), request.body,
                              std::move(reply));
  }
}

UDI_HANDLER(HandleListAlarms) {
  (void)caller;
  (void)request;
  if (Witness* witness = WitnessOrReply(service, reply))
    reply(JsonResponse(200, witness->Alarms()));
}

UDI_HANDLER(HandleWitnessInfo) {
  (void)caller;
  (void)request;
  if (Witness* witness = WitnessOrReply(service, reply))
    reply(JsonResponse(200, witness->Info()));
}

}  // namespace api
