#include "colosla/model/mapping.hpp"

#include <algorithm>
#include <map>

namespace colosla::core {

namespace {

struct Event {
  Timestamp at;
  int order;  // inventory ports open before recorded changes at the same instant
  std::int64_t id;
  const Contract* contract;
  PortRef port;
  MappingAction action;
};

std::string port_text(const PortRef& p) { return p.device + " " + p.interface; }

std::string when(Timestamp t, const Contract& c) {
  auto z = Zone::locate(c.time_zone);
  return format_time(t, z ? *z : Zone::utc());
}

std::string change_name(std::int64_t id) {
  return id == 0 ? std::string("the inventory") : mapping_record_name(id);
}

// Where a conflict comes from: the record, or the inventory entry (as a YANG data path, so
// that `inventory validate` can name it like any other error in the document).
std::string origin(const Event& e) {
  if (e.id != 0) {
    return change_name(e.id);
  }
  return "/colosla-inventory:inventory/contract[id='" + e.contract->id + "']/port[device='" +
         e.port.device + "'][interface='" + e.port.interface + "']";
}

}  // namespace

std::string mapping_record_name(std::int64_t id) { return "mapping record #" + std::to_string(id); }

std::string_view to_string(MappingAction a) { return a == MappingAction::add ? "add" : "remove"; }

Result<std::vector<MappingRange>> resolve_mappings(const Inventory& inventory,
                                                   const std::vector<MappingChange>& changes) {
  std::vector<Event> events;
  for (const auto& c : inventory.contracts) {
    for (const auto& p : c.ports) {
      events.push_back({c.start, 0, 0, &c, p, MappingAction::add});
    }
  }
  for (const auto& ch : changes) {
    const Contract* c = inventory.find_contract(ch.contract);
    if (c == nullptr) {
      continue;  // the contract left the inventory; its records stay for the audit trail
    }
    events.push_back({std::max(ch.at, c->start), 1, ch.id, c, ch.port, ch.action});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.at != b.at) {
      return a.at < b.at;
    }
    if (a.order != b.order) {
      return a.order < b.order;
    }
    return a.id < b.id;
  });

  std::vector<MappingRange> ranges;
  // Per port, the index in `ranges` of the range that is open (not yet closed by a change).
  std::map<PortRef, std::size_t> open;

  for (const auto& e : events) {
    const Contract& c = *e.contract;
    const auto o = open.find(e.port);
    // A range still open whose contract has ended by now no longer holds the port.
    const bool held = o != open.end() && ranges[o->second].span.end > e.at;
    if (e.action == MappingAction::add) {
      if (e.at >= c.end) {
        return make_error(Errc::conflict,
                          "port " + port_text(e.port) + " cannot be mapped to " + c.id + " at " +
                              when(e.at, c) + ": the contract ends " + when(c.end, c),
                          origin(e));
      }
      if (held) {
        const MappingRange& r = ranges[o->second];
        const Contract& holder = *inventory.find_contract(r.contract);
        if (r.contract == c.id) {
          return make_error(Errc::conflict,
                            "port " + port_text(e.port) + " is already mapped to " + c.id +
                                " since " + when(r.span.begin, c) + " (" +
                                change_name(r.opened_by) + ")",
                            origin(e));
        }
        return make_error(Errc::conflict,
                          "port " + port_text(e.port) + " cannot be mapped to " + c.id + " from " +
                              when(e.at, c) + ": it is mapped to " + r.contract + " since " +
                              when(r.span.begin, holder) + " (" + change_name(r.opened_by) +
                              ") until " + when(r.span.end, holder) + "; remove it there first",
                          origin(e));
      }
      open[e.port] = ranges.size();
      ranges.push_back(MappingRange{c.id, e.port, {e.at, c.end}, e.id, 0});
    } else {
      if (!held || ranges[o->second].contract != c.id) {
        return make_error(
            Errc::conflict,
            "port " + port_text(e.port) + " is not mapped to " + c.id + " at " + when(e.at, c),
            origin(e));
      }
      MappingRange& r = ranges[o->second];
      r.span.end = e.at;
      r.closed_by = e.id;
      open.erase(o);
    }
  }

  // A range closed at the instant it opened never held: drop it.
  std::erase_if(ranges, [](const MappingRange& r) { return r.span.empty(); });
  std::sort(ranges.begin(), ranges.end(), [](const MappingRange& a, const MappingRange& b) {
    if (a.contract != b.contract) {
      return a.contract < b.contract;
    }
    if (a.port != b.port) {
      return a.port < b.port;
    }
    return a.span.begin < b.span.begin;
  });
  return ranges;
}

std::vector<MappingRange> mapped_at(const std::vector<MappingRange>& ranges, Timestamp t) {
  std::vector<MappingRange> out;
  std::copy_if(ranges.begin(), ranges.end(), std::back_inserter(out),
               [t](const MappingRange& r) { return r.span.contains(t); });
  return out;
}

}  // namespace colosla::core
