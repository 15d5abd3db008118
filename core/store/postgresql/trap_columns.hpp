#pragma once
// The trap identities of a batch as array parameters (observations and evidence).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

}  // namespace colosla::core::pg
