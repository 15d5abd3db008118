#pragma once
// A batch of observations or evidence as array parameters, for one
// `INSERT … SELECT FROM unnest($1, $2, …)` (observations.cpp, receiver_state.cpp): the same
// columns in the same order for the store's own writes and for the shipped copies.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colosla/model/evidence.hpp"
#include "colosla/model/model.hpp"
#include "postgresql/pq.hpp"

namespace colosla::core::pg {

// The trap identities of a batch as three array parameters: the digests in hex ('' for an
// observation without one), the buckets and the near buckets.
class TrapColumns {
 public:
  void add(const std::optional<TrapIdentity>& id) {
    digests_.push_back(id ? hex(id->digest) : std::string());
    buckets_.push_back(id ? id->bucket : 0);
    near_.push_back(id ? id->near : 0);
  }
  void bind(Params& p) const {
    p.add(text_array(digests_)).add(int_array(buckets_)).add(int_array(near_));
  }

 private:
  std::vector<std::string> digests_;
  std::vector<std::int64_t> buckets_;
  std::vector<std::int64_t> near_;
};

// Observations as ten parameters, in this order: times, entity ids (given: entity_ids in
// observations.cpp), states, sources, received, origins, evidence, then TrapColumns'.
class ObservationColumns {
 public:
  explicit ObservationColumns(const std::vector<Observation>& obs) {
    for (const auto& o : obs) {
      times_.push_back(o.time.time_since_epoch().count());
      received_.push_back(o.received.time_since_epoch().count());
      states_.emplace_back(to_string(o.state));
      sources_.emplace_back(to_string(o.source));
      origins_.push_back(o.origin);
      evidence_.push_back(o.evidence);
      traps_.add(o.trap);
    }
  }
  void bind(Params& p, const std::vector<std::int64_t>& entity_ids) const {
    p.add(int_array(times_)).add(int_array(entity_ids)).add(text_array(states_));
    p.add(text_array(sources_)).add(int_array(received_)).add(text_array(origins_));
    p.add(text_array(evidence_));
    traps_.bind(p);
  }

 private:
  std::vector<std::int64_t> times_;
  std::vector<std::int64_t> received_;
  std::vector<std::string> states_;
  std::vector<std::string> sources_;
  std::vector<std::string> origins_;
  std::vector<std::string> evidence_;
  TrapColumns traps_;
};

// Traps kept as evidence as nine parameters, in this order: received, device, origin, trap OID,
// reason, text, then TrapColumns'.
class EvidenceColumns {
 public:
  explicit EvidenceColumns(const std::vector<TrapEvidence>& items) {
    for (const auto& e : items) {
      received_.push_back(e.received.time_since_epoch().count());
      device_.push_back(e.device);
      origin_.push_back(e.origin);
      trap_oid_.push_back(e.trap_oid);
      reason_.push_back(e.reason);
      text_.push_back(e.text);
      traps_.add(e.trap);
    }
  }
  void bind(Params& p) const {
    p.add(int_array(received_)).add(text_array(device_)).add(text_array(origin_));
    p.add(text_array(trap_oid_)).add(text_array(reason_)).add(text_array(text_));
    traps_.bind(p);
  }

 private:
  std::vector<std::int64_t> received_;
  std::vector<std::string> device_, origin_, trap_oid_, reason_, text_;
  TrapColumns traps_;
};

// The transaction-level advisory lock every shipment takes ("ship" in ASCII; outside the
// watermark's ranges): one at a time across the cluster, so that the neighbour test reads what
// another shipper committed, never what it is about to commit.
inline constexpr const char* kShipmentLock = "SELECT pg_advisory_xact_lock(1936222576)";

}  // namespace colosla::core::pg
