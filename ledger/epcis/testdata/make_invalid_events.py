#!/usr/bin/env python3
"""Writes invalid/events.jsonl: one {"name", "event", "error"} object per line.

Each case is a small valid base event with one change; "error" is the exact message
ValidateEvent must return (written by hand from the rules, not captured from the code).
Run from this directory: python3 make_invalid_events.py
"""
import copy
import json

OBJ = {
    "type": "ObjectEvent",
    "eventTime": "2026-11-26T10:00:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "action": "ADD",
    "bizStep": "commissioning",
    "disposition": "active",
    "epcList": ["urn:epc:id:sgtin:0614141.812345.6789"],
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
}
AGG = {
    "type": "AggregationEvent",
    "eventTime": "2026-11-26T10:00:00Z",
    "eventTimeZoneOffset": "+00:00",
    "action": "ADD",
    "bizStep": "packing",
    "parentID": "urn:epc:id:sscc:0614141.1234567890",
    "childEPCs": ["urn:epc:id:sgtin:0614141.812345.6789"],
}
TRX = {
    "type": "TransactionEvent",
    "eventTime": "2026-11-26T10:00:00Z",
    "eventTimeZoneOffset": "+00:00",
    "action": "ADD",
    "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:PO1"}],
    "epcList": ["urn:epc:id:sgtin:0614141.812345.6789"],
}
TRF = {
    "type": "TransformationEvent",
    "eventTime": "2026-11-26T10:00:00Z",
    "eventTimeZoneOffset": "+00:00",
    "inputEPCList": ["urn:epc:id:sgtin:0614141.812345.6789"],
    "outputEPCList": ["urn:epc:id:sgtin:0614141.812345.7000"],
}
ASC = {
    "type": "AssociationEvent",
    "eventTime": "2026-11-26T10:00:00Z",
    "eventTimeZoneOffset": "+00:00",
    "action": "ADD",
    "parentID": "urn:epc:id:grai:4012345.55555.987",
    "childEPCs": ["urn:epc:id:giai:4000001.12345"],
}
DEL = object()  # marks a member to remove


def case(name, base, changes, error):
    event = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DEL:
            del event[key]
        else:
            event[key] = value
    return {"name": name, "event": event, "error": error}


NS = ' extension members need a namespace prefix (e.g. \\"example:{}\\")'
OFFSET = "is not a time zone offset \"+hh:mm\" or \"-hh:mm\" within -14:00..+14:00"
SENSOR = {"sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}]}

cases = [
    {"name": "event is not an object", "event": [], "error": "event: an event must be a JSON object, not an array"},
    case("missing type", OBJ, {"type": DEL}, "type: missing (the event type is required)"),
    case("type not a string", OBJ, {"type": 5}, "type: must be a string, not a number"),
    case("unknown type", OBJ, {"type": "ObjectEvnt"},
         "type: 'ObjectEvnt' is not an EPCIS 2.0 event type (ObjectEvent, AggregationEvent, "
         "TransactionEvent, TransformationEvent, AssociationEvent)"),
    case("unknown member without namespace", OBJ, {"foo": 1},
         "foo: not an EPCIS 2.0 ObjectEvent member;" + NS.replace('\\"', '"').format("foo")),
    case("JSON-LD id member is not an event member", OBJ, {"id": "_:event1"},
         "id: not an EPCIS 2.0 ObjectEvent member;" + NS.replace('\\"', '"').format("id")),
    case("first unknown member in sorted order", OBJ, {"zeta": 1, "alpha": 2},
         "alpha: not an EPCIS 2.0 ObjectEvent member;" + NS.replace('\\"', '"').format("alpha")),
    case("action on TransformationEvent", TRF, {"action": "ADD"}, "action: not allowed on TransformationEvent"),
    case("ilmd on AggregationEvent", AGG, {"ilmd": {"example:lot": "L1"}}, "ilmd: not allowed on AggregationEvent"),
    case("persistentDisposition on AggregationEvent", AGG, {"persistentDisposition": {"set": ["recalled"]}},
         "persistentDisposition: not allowed on AggregationEvent"),
    case("childEPCs on ObjectEvent", OBJ, {"childEPCs": []}, "childEPCs: not allowed on ObjectEvent"),
    case("missing eventTime", OBJ, {"eventTime": DEL}, "eventTime: missing (required on every event)"),
    case("eventTime February 30", OBJ, {"eventTime": "2026-02-30T10:00:00Z"},
         "eventTime: '2026-02-30T10:00:00Z' is not an RFC 3339 date-time: day 30 does not exist in 2026-02"),
    case("eventTime without offset", OBJ, {"eventTime": "2026-11-26T10:00:00"},
         "eventTime: '2026-11-26T10:00:00' is not an RFC 3339 date-time: missing time zone offset "
         "('Z' or +hh:mm) at offset 19"),
    case("eventTime as a number", OBJ, {"eventTime": 1764147600000}, "eventTime: must be a string, not a number"),
    case("missing eventTimeZoneOffset", OBJ, {"eventTimeZoneOffset": DEL},
         "eventTimeZoneOffset: missing (required on every event)"),
    case("offset beyond +14:00", OBJ, {"eventTimeZoneOffset": "+15:00"}, "eventTimeZoneOffset: '+15:00' " + OFFSET),
    case("offset +14:30", OBJ, {"eventTimeZoneOffset": "+14:30"}, "eventTimeZoneOffset: '+14:30' " + OFFSET),
    case("offset Z", OBJ, {"eventTimeZoneOffset": "Z"}, "eventTimeZoneOffset: 'Z' " + OFFSET),
    case("offset without colon", OBJ, {"eventTimeZoneOffset": "+0100"}, "eventTimeZoneOffset: '+0100' " + OFFSET),
    case("offset minutes 60", OBJ, {"eventTimeZoneOffset": "-05:60"}, "eventTimeZoneOffset: '-05:60' " + OFFSET),
    case("recordTime not a date", OBJ, {"recordTime": "yesterday"},
         "recordTime: 'yesterday' is not an RFC 3339 date-time: expected 4-digit year at offset 0"),
    case("eventID not a URI", OBJ, {"eventID": "not a uri"}, "eventID: 'not a uri' is not an absolute URI"),
    case("certificationInfo entry not a URI", OBJ, {"certificationInfo": ["cert 1"]},
         "certificationInfo[0]: 'cert 1' is not an absolute URI"),
    case("errorDeclaration without declarationTime", OBJ, {"errorDeclaration": {"reason": "did_not_occur"}},
         "errorDeclaration.declarationTime: missing (required)"),
    case("errorDeclaration bad reason", OBJ,
         {"errorDeclaration": {"declarationTime": "2026-11-27T00:00:00Z", "reason": "oops"}},
         "errorDeclaration.reason: 'oops' is not a CBV 2.0 error reason or an absolute URI"),
    case("errorDeclaration member without namespace", OBJ,
         {"errorDeclaration": {"declarationTime": "2026-11-27T00:00:00Z", "note": "typo"}},
         "errorDeclaration.note: not a defined member here;" + NS.replace('\\"', '"').format("note")),
    case("errorDeclaration correctiveEventIDs not an array", OBJ,
         {"errorDeclaration": {"declarationTime": "2026-11-27T00:00:00Z", "correctiveEventIDs": "urn:uuid:1"}},
         "errorDeclaration.correctiveEventIDs: must be an array, not a string"),
    case("missing action on ObjectEvent", OBJ, {"action": DEL}, "action: missing (required on ObjectEvent)"),
    case("lower-case action", OBJ, {"action": "add"}, "action: 'add' is not one of ADD, OBSERVE, DELETE"),
    case("epcList not an array", OBJ, {"epcList": "urn:epc:id:sgtin:0614141.812345.6789"},
         "epcList: must be an array, not a string"),
    case("epcList entry not a string", OBJ, {"epcList": [42]}, "epcList[0]: must be a string, not a number"),
    case("epcList duplicate", OBJ,
         {"epcList": ["urn:epc:id:sgtin:0614141.812345.6789", "urn:epc:id:sgtin:0614141.812345.6789"]},
         "epcList[1]: duplicate of epcList[0]"),
    case("epcList holds a class", OBJ, {"epcList": ["urn:epc:class:lgtin:0614141.812345.LOT1"]},
         "epcList[0]: 'urn:epc:class:lgtin:0614141.812345.LOT1' identifies a class (GTIN or GTIN+lot), "
         "not an instance; classes belong in a quantity list"),
    case("ObjectEvent without identifiers", OBJ, {"epcList": DEL},
         "epcList: an ObjectEvent needs at least one identifier in epcList or quantityList (or, for a "
         "sensor-only observation, sensorElementList and readPoint)"),
    case("ObjectEvent with empty epcList", OBJ, {"epcList": []},
         "epcList: an ObjectEvent needs at least one identifier in epcList or quantityList (or, for a "
         "sensor-only observation, sensorElementList and readPoint)"),
    case("sensor-only ObjectEvent without readPoint", OBJ,
         {"epcList": DEL, "readPoint": DEL, "sensorElementList": [SENSOR]},
         "epcList: an ObjectEvent needs at least one identifier in epcList or quantityList (or, for a "
         "sensor-only observation, sensorElementList and readPoint)"),
    case("quantity element without epcClass", OBJ, {"quantityList": [{"quantity": 5}]},
         "quantityList[0].epcClass: missing (required)"),
    case("quantity as a string", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.LOT1", "quantity": "5"}]},
         "quantityList[0].quantity: must be a number, not a string"),
    case("uom without quantity", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.LOT1", "uom": "KGM"}]},
         "quantityList[0].uom: only allowed together with quantity"),
    case("uom lower case", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.LOT1", "quantity": 2, "uom": "kg"}]},
         "quantityList[0].uom: 'kg' is not a UN/ECE Recommendation 20 unit code (2-3 upper-case letters or digits)"),
    case("uom four characters", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.LOT1", "quantity": 2, "uom": "KGMS"}]},
         "quantityList[0].uom: 'KGMS' is not a UN/ECE Recommendation 20 unit code (2-3 upper-case letters or digits)"),
    case("quantity element extra member", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.LOT1", "quantity": 2, "lot": "L"}]},
         "quantityList[0].lot: not allowed in a quantity element (only epcClass, quantity, uom)"),
    case("epcClass is an instance", OBJ,
         {"quantityList": [{"epcClass": "urn:epc:id:sgtin:0614141.812345.6789", "quantity": 1}]},
         "quantityList[0].epcClass: 'urn:epc:id:sgtin:0614141.812345.6789' is not a class identifier "
         "(expected an LGTIN, a GTIN pattern or a GTIN/GTIN+lot Digital Link)"),
    case("ilmd with OBSERVE", OBJ, {"action": "OBSERVE", "ilmd": {"example:lot": "L1"}},
         "ilmd: only allowed with action ADD"),
    case("ilmd with DELETE", OBJ, {"action": "DELETE", "ilmd": {"example:lot": "L1"}},
         "ilmd: only allowed with action ADD"),
    case("ilmd member without namespace", OBJ, {"ilmd": {"lotNumber": "L1"}},
         "ilmd.lotNumber: not a defined member here;" + NS.replace('\\"', '"').format("lotNumber")),
    case("ilmd not an object", OBJ, {"ilmd": ["L1"]}, "ilmd: must be an object, not an array"),
    case("misspelt bizStep", OBJ, {"bizStep": "shiping"},
         "bizStep: 'shiping' is not a CBV 2.0 business step or an absolute URI"),
    case("bizStep not a string", OBJ, {"bizStep": 7}, "bizStep: must be a string, not a number"),
    case("bizStep unknown in CBV namespace", OBJ, {"bizStep": "https://ref.gs1.org/cbv/BizStep-teleporting"},
         "bizStep: 'https://ref.gs1.org/cbv/BizStep-teleporting' is in the CBV namespace but is not a "
         "CBV 2.0 business step"),
    case("unknown disposition", OBJ, {"disposition": "sellable"},
         "disposition: 'sellable' is not a CBV 2.0 disposition or an absolute URI"),
    case("persistentDisposition empty", OBJ, {"persistentDisposition": {}},
         "persistentDisposition: needs set or unset"),
    case("persistentDisposition empty set", OBJ, {"persistentDisposition": {"set": []}},
         "persistentDisposition.set: must not be empty"),
    case("persistentDisposition duplicate", OBJ, {"persistentDisposition": {"set": ["recalled", "recalled"]}},
         "persistentDisposition.set[1]: duplicate of persistentDisposition.set[0]"),
    case("persistentDisposition unknown member", OBJ, {"persistentDisposition": {"add": ["recalled"]}},
         "persistentDisposition.add: not allowed (only set and unset)"),
    case("persistentDisposition unknown disposition", OBJ, {"persistentDisposition": {"unset": ["gone"]}},
         "persistentDisposition.unset[0]: 'gone' is not a CBV 2.0 disposition or an absolute URI"),
    case("readPoint as a string", OBJ, {"readPoint": "urn:epc:id:sgln:0614141.07346.1234"},
         "readPoint: must be an object, not a string"),
    case("readPoint without id", OBJ, {"readPoint": {}}, "readPoint.id: missing (required)"),
    case("readPoint id not a URI", OBJ, {"readPoint": {"id": "warehouse 7"}},
         "readPoint.id: 'warehouse 7' is not an absolute URI"),
    case("readPoint is a trade item", OBJ, {"readPoint": {"id": "urn:epc:id:sgtin:0614141.812345.6789"}},
         "readPoint.id: 'urn:epc:id:sgtin:0614141.812345.6789' is not a location identifier (expected an "
         "SGLN EPC URI, a GLN Digital Link or a non-GS1 URI)"),
    case("bizLocation member without namespace", OBJ,
         {"bizLocation": {"id": "urn:epc:id:sgln:0614141.07346.0", "name": "Dock 4"}},
         "bizLocation.name: not a defined member here;" + NS.replace('\\"', '"').format("name")),
    case("bizTransaction missing", OBJ, {"bizTransactionList": [{"type": "po"}]},
         "bizTransactionList[0].bizTransaction: missing (required)"),
    case("bizTransaction type unknown", OBJ,
         {"bizTransactionList": [{"type": "purchase", "bizTransaction": "urn:example:po:1"}]},
         "bizTransactionList[0].type: 'purchase' is not a CBV 2.0 business transaction type or an absolute URI"),
    case("bizTransaction extra member", OBJ,
         {"bizTransactionList": [{"bizTransaction": "urn:example:po:1", "id": "1"}]},
         "bizTransactionList[0].id: not allowed (only type and bizTransaction)"),
    case("bizTransaction not a URI", OBJ, {"bizTransactionList": [{"type": "po", "bizTransaction": "PO 12"}]},
         "bizTransactionList[0].bizTransaction: 'PO 12' is not an absolute URI"),
    case("source without type", OBJ, {"sourceList": [{"source": "urn:epc:id:pgln:0614141.00001"}]},
         "sourceList[0].type: missing (required)"),
    case("source type unknown", OBJ,
         {"sourceList": [{"type": "owner", "source": "urn:epc:id:pgln:0614141.00001"}]},
         "sourceList[0].type: 'owner' is not a CBV 2.0 source/destination type or an absolute URI"),
    case("destination missing", OBJ, {"destinationList": [{"type": "owning_party"}]},
         "destinationList[0].destination: missing (required)"),
    case("destination with source member", OBJ,
         {"destinationList": [{"type": "location", "source": "urn:epc:id:sgln:0614141.07346.0"}]},
         "destinationList[0].source: not allowed (only type and destination)"),
    case("sourceList as an object", OBJ,
         {"sourceList": {"type": "location", "source": "urn:epc:id:sgln:0614141.07346.0"}},
         "sourceList: must be an array, not an object"),
    case("sensor element without sensorReport", OBJ, {"sensorElementList": [{"sensorMetadata": {}}]},
         "sensorElementList[0].sensorReport: missing (required)"),
    case("sensorReport empty", OBJ, {"sensorElementList": [{"sensorReport": []}]},
         "sensorElementList[0].sensorReport: must not be empty"),
    case("sensorReport without type", OBJ, {"sensorElementList": [{"sensorReport": [{"value": 1}]}]},
         "sensorElementList[0].sensorReport[0].type: missing (required)"),
    case("sensorReport value as string", OBJ,
         {"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": "4.5"}]}]},
         "sensorElementList[0].sensorReport[0].value: must be a number, not a string"),
    case("sensorReport misspelt type", OBJ,
         {"sensorElementList": [{"sensorReport": [{"type": "Temprature", "value": 4.5}]}]},
         "sensorElementList[0].sensorReport[0].type: 'Temprature' is not a GS1 measurement type or an absolute URI"),
    case("sensorMetadata bad time", OBJ,
         {"sensorElementList": [{"sensorMetadata": {"time": "2026-11-26T25:00:00Z"}, "sensorReport": [{"type": "Temperature"}]}]},
         "sensorElementList[0].sensorMetadata.time: '2026-11-26T25:00:00Z' is not an RFC 3339 date-time: "
         "hour 25 is out of range 00-23"),
    case("sensor element member without namespace", OBJ,
         {"sensorElementList": [{"sensorReport": [{"type": "Temperature"}], "note": "x"}]},
         "sensorElementList[0].note: not a defined member here;" + NS.replace('\\"', '"').format("note")),
    # Identifiers: the reason after the path comes from gs1::ParseIdentifier.
    case("epcList entry is not a GS1 identifier", OBJ,
         {"epcList": ["urn:epc:id:sgtin:0614141.812345.6789", "urn:epc:id:sgtin:0614141.812345.6790",
                      "urn:epc:id:sgtin:0614141.812345.6791", "urn:example:thing"]},
         "epcList[3]: not an EPC URI or GS1 Digital Link URI"),
    case("epcList HIBC class URI as an instance", OBJ,
         {"epcList": ["https://udi-ledger.org/hibc/class/A123BJC5D6E71/LOT123"]},
         "epcList[0]: 'https://udi-ledger.org/hibc/class/A123BJC5D6E71/LOT123' is not a HIBC instance URI "
         "(want https://udi-ledger.org/hibc/obj/<LIC+PCN+UoM>/<serial>)"),
    case("epcList HIBC prefix without an item", OBJ,
         {"epcList": ["https://udi-ledger.org/hibc/obj/"]},
         "epcList[0]: 'https://udi-ledger.org/hibc/obj/' is not a HIBC instance URI "
         "(want https://udi-ledger.org/hibc/obj/<LIC+PCN+UoM>/<serial>)"),
    case("epcClass HIBC instance URI as a class", OBJ,
         {"quantityList": [{"epcClass": "https://udi-ledger.org/hibc/obj/A123BJC5D6E71/SER", "quantity": 1}]},
         "quantityList[0].epcClass: 'https://udi-ledger.org/hibc/obj/A123BJC5D6E71/SER' is not a HIBC class URI "
         "(want https://udi-ledger.org/hibc/class/<LIC+PCN+UoM>[/<lot>])"),
    case("epcList malformed SGTIN", OBJ, {"epcList": ["urn:epc:id:sgtin:0614141.812345"]},
         "epcList[0]: sgtin: expected CompanyPrefix.IndicatorItemRef.Serial"),
    case("epcClass is not a GS1 identifier", OBJ,
         {"quantityList": [{"epcClass": "urn:example:class:1", "quantity": 1}]},
         "quantityList[0].epcClass: not an EPC URI or GS1 Digital Link URI"),
    case("readPoint malformed SGLN", OBJ, {"readPoint": {"id": "urn:epc:id:sgln:0614141.07346"}},
         "readPoint.id: sgln: expected CompanyPrefix.LocationReference.Extension"),
    case("bizLocation Digital Link with a bad check digit", OBJ,
         {"bizLocation": {"id": "https://id.gs1.org/414/9506000000009"}},
         "bizLocation.id: AI 414: check digit 9 should be 8"),
    case("child Digital Link with a bad check digit", AGG,
         {"childEPCs": ["https://id.gs1.org/01/09506000134353/21/X"]},
         "childEPCs[0]: AI 01: check digit 3 should be 2"),
    case("parentID is not a GS1 identifier", AGG, {"parentID": "pallet-7"},
         "parentID: not an EPC URI or GS1 Digital Link URI"),
    case("inputEPCList entry is not a GS1 identifier", TRF, {"inputEPCList": ["https://example.com/things/1"]},
         "inputEPCList[0]: Digital Link: path has no GS1 primary key AI (such as 01, 00, 414)"),
    # gs1/EPCIS JSON/WithSensorData/SensorDataExample17.jsonld: schema-valid, but a GTIN without a
    # serial is a class, and epcList names instances (EPCIS 2.0 epcList: "specific objects").
    {"name": "official SensorDataExample17 lists a GTIN class in epcList",
     "event": {"eventID": "ni:///sha-256;e1f630b9c84c84020eb9bc73f082324a420f4472dd6c14edb1f1ab98ea279f24?ver=CBV2.0",
               "type": "ObjectEvent", "eventTime": "2021-04-27T15:00:00+01:00", "eventTimeZoneOffset": "+01:00",
               "epcList": ["https://id.gs1.org/01/09506000134352"], "action": "OBSERVE",
               "bizStep": "sensor_reporting", "readPoint": {"id": "https://id.gs1.org/414/9506000134307"},
               "sensorElementList": [{"sensorReport": [
                   {"type": "Mass", "ex:feature": "ex:packaging", "value": 1.0, "uom": "KGM"},
                   {"type": "Mass", "ex:feature": "ex:product", "value": 25.0, "uom": "KGM"},
                   {"type": "Mass", "ex:feature": "ex:total", "value": 26.0, "uom": "KGM"}]}]},
     "error": "epcList[0]: 'https://id.gs1.org/01/09506000134352' identifies a class (GTIN or GTIN+lot), "
              "not an instance; classes belong in a quantity list"},
    # AggregationEvent
    case("aggregation ADD without parentID", AGG, {"parentID": DEL},
         "parentID: missing (required on AggregationEvent with action ADD)"),
    case("aggregation DELETE without parentID", AGG, {"parentID": DEL, "action": "DELETE"},
         "parentID: missing (required on AggregationEvent with action DELETE)"),
    case("aggregation ADD without children", AGG, {"childEPCs": DEL},
         "childEPCs: an AggregationEvent with action ADD needs at least one child in childEPCs or childQuantityList"),
    case("aggregation OBSERVE with empty children", AGG, {"childEPCs": [], "action": "OBSERVE"},
         "childEPCs: an AggregationEvent with action OBSERVE needs at least one child in childEPCs or "
         "childQuantityList"),
    case("aggregation child is a class", AGG, {"childEPCs": ["https://id.gs1.org/01/09506000134352"]},
         "childEPCs[0]: 'https://id.gs1.org/01/09506000134352' identifies a class (GTIN or GTIN+lot), not an "
         "instance; classes belong in a quantity list"),
    case("aggregation bad childQuantityList", AGG, {"childQuantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.L", "quantity": True}]},
         "childQuantityList[0].quantity: must be a number, not a boolean"),
    # TransactionEvent
    case("transaction without bizTransactionList", TRX, {"bizTransactionList": DEL},
         "bizTransactionList: missing (required on TransactionEvent)"),
    case("transaction with empty bizTransactionList", TRX, {"bizTransactionList": []},
         "bizTransactionList: must not be empty on a TransactionEvent"),
    case("transaction ADD without objects", TRX, {"epcList": DEL},
         "epcList: a TransactionEvent with action ADD needs at least one identifier in epcList or quantityList"),
    case("transaction without action", TRX, {"action": DEL}, "action: missing (required on TransactionEvent)"),
    case("transaction ilmd", TRX, {"ilmd": {"example:x": 1}}, "ilmd: not allowed on TransactionEvent"),
    # TransformationEvent
    case("transformation without inputs or outputs", TRF, {"inputEPCList": DEL, "outputEPCList": DEL},
         "inputEPCList: a TransformationEvent needs at least one input or output (inputEPCList, "
         "inputQuantityList, outputEPCList, outputQuantityList)"),
    case("transformation with empty lists", TRF, {"inputEPCList": [], "outputEPCList": []},
         "inputEPCList: a TransformationEvent needs at least one input or output (inputEPCList, "
         "inputQuantityList, outputEPCList, outputQuantityList)"),
    case("transformation outputs only without transformationID", TRF, {"inputEPCList": DEL},
         "transformationID: missing (required when a TransformationEvent has no inputs)"),
    case("transformation inputs only without transformationID", TRF, {"outputEPCList": DEL},
         "transformationID: missing (required when a TransformationEvent has no outputs)"),
    case("transformationID not a URI", TRF, {"transformationID": "T1"}, "transformationID: 'T1' is not an absolute URI"),
    case("transformation duplicate output", TRF,
         {"outputEPCList": ["urn:epc:id:sgtin:0614141.812345.7000", "urn:epc:id:sgtin:0614141.812345.7000"]},
         "outputEPCList[1]: duplicate of outputEPCList[0]"),
    # AssociationEvent
    case("association without parentID", ASC, {"parentID": DEL}, "parentID: missing (required on AssociationEvent)"),
    case("association OBSERVE without parentID", ASC, {"parentID": DEL, "action": "OBSERVE"},
         "parentID: missing (required on AssociationEvent)"),
    case("association ADD without children", ASC, {"childEPCs": DEL},
         "childEPCs: an AssociationEvent with action ADD needs at least one child in childEPCs or childQuantityList"),
    case("association persistentDisposition", ASC, {"persistentDisposition": {"set": ["active"]}},
         "persistentDisposition: not allowed on AssociationEvent"),
]

with open("invalid/events.jsonl", "w") as out:
    out.write("# Generated by make_invalid_events.py; edit that script, not this file.\n")
    for c in cases:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases), "cases")

# --- EPCISDocument envelopes: {"name", "document", "error"} per line in invalid/documents.jsonl ---
GOOD = copy.deepcopy(OBJ)
DOC = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-11-26T10:05:00Z",
    "epcisBody": {"eventList": [GOOD, GOOD]},
}


def doc_case(name, changes, error, events=None):
    d = copy.deepcopy(DOC)
    for key, value in changes.items():
        if value is DEL:
            del d[key]
        else:
            d[key] = value
    if events is not None:
        d["epcisBody"] = {"eventList": events}
    return {"name": name, "document": d, "error": error}


def with_changes(base, changes):
    return case("", base, changes, "")["event"]


doc_cases = [
    {"name": "document is not an object", "document": [], "error":
     "document: an EPCISDocument must be a JSON object, not an array"},
    doc_case("missing type", {"type": DEL}, 'type: missing (must be "EPCISDocument")'),
    doc_case("query document", {"type": "EPCISQueryDocument"}, "type: 'EPCISQueryDocument' is not \"EPCISDocument\""),
    doc_case("schemaVersion as a number", {"schemaVersion": 2.0}, 'schemaVersion: a number is not "2.0" (a string)'),
    doc_case("schemaVersion 1.2", {"schemaVersion": "1.2"}, "schemaVersion: '1.2' is not \"2.0\" (a string)"),
    doc_case("missing schemaVersion", {"schemaVersion": DEL}, 'schemaVersion: missing (must be "2.0")'),
    doc_case("missing creationDate", {"creationDate": DEL}, "creationDate: missing (required)"),
    doc_case("creationDate without time", {"creationDate": "2026-11-26"},
             "creationDate: '2026-11-26' is not an RFC 3339 date-time: expected 'T' between date and time at offset 10"),
    doc_case("pre-2.0 isA member", {"isA": "EPCISDocument"},
             'isA: not an EPCISDocument member; extension members need a namespace prefix (e.g. "example:isA")'),
    doc_case("sender not a string", {"sender": {"id": "x"}}, "sender: must be a string, not an object"),
    doc_case("id not a string", {"id": 7}, "id: must be a string, not a number"),
    doc_case("missing epcisBody", {"epcisBody": DEL}, "epcisBody: missing (required)"),
    doc_case("epcisBody not an object", {"epcisBody": []}, "epcisBody: must be an object, not an array"),
    doc_case("missing eventList", {"epcisBody": {}}, "epcisBody.eventList: missing (required)"),
    doc_case("eventList is an object", {"epcisBody": {"eventList": GOOD}},
             "epcisBody.eventList: must be an array, not an object"),
    doc_case("fifth event has a bad action", {},
             "epcisBody.eventList[4].action: 'add' is not one of ADD, OBSERVE, DELETE",
             events=[GOOD, GOOD, GOOD, GOOD, with_changes(OBJ, {"action": "add"})]),
    doc_case("event is a string", {}, "epcisBody.eventList[1]: an event must be a JSON object, not a string",
             events=[GOOD, "ObjectEvent"]),
    doc_case("nested path inside an event", {},
             "epcisBody.eventList[0].quantityList[0].uom: only allowed together with quantity",
             events=[with_changes(OBJ, {"quantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.812345.L1", "uom": "KGM"}]})]),
    doc_case("first bad event wins", {}, "epcisBody.eventList[1].eventTime: missing (required on every event)",
             events=[GOOD, with_changes(OBJ, {"eventTime": DEL}), with_changes(OBJ, {"type": "Nope"})]),
    doc_case("unknown member inside an event", {}, "epcisBody.eventList[0].foo: not an EPCIS 2.0 ObjectEvent "
             'member; extension members need a namespace prefix (e.g. "example:foo")',
             events=[with_changes(OBJ, {"foo": 1})]),
]

with open("invalid/documents.jsonl", "w") as out:
    out.write("# Generated by make_invalid_events.py; edit that script, not this file.\n")
    for c in doc_cases:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(doc_cases), "document cases")
