// colosla probe --contract ID: one round of Article 4's probes by hand, stored as observations.
#include <iomanip>
#include <iostream>

#include "cli.hpp"
#include "colosla/probe.hpp"

namespace colosla::cli {

namespace {

int probe(Context& ctx) {
  po::options_description d("probe");
  d.add_options()("contract", po::value<std::string>(), "the contract whose probe targets to probe")(
      "timeout", po::value<int>()->default_value(5000), "milliseconds for each attempt")(
      "retries", po::value<int>()->default_value(1), "attempts after the first within one probe")(
      "www-port", po::value<int>()->default_value(80), "the port of the www probe")(
      "smtp-port", po::value<int>()->default_value(25), "the port of the email probe")(
      "ftp-port", po::value<int>()->default_value(21), "the port of the ftp probe");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  if (vm->count("contract") == 0) {
    throw UsageError("--contract is required");
  }
  core::ProbeOptions o;
  o.timeout = std::chrono::milliseconds{(*vm)["timeout"].as<int>()};
  o.retries = (*vm)["retries"].as<int>();
  const auto port = [&](const char* name) {
    const int p = (*vm)[name].as<int>();
    if (p < 1 || p > 65535) {
      throw UsageError(std::string("--") + name + " must be a port, 1 to 65535");
    }
    return static_cast<std::uint16_t>(p);
  };
  o.www_port = port("www-port");
  o.smtp_port = port("smtp-port");
  o.ftp_port = port("ftp-port");
  if (o.timeout.count() <= 0 || o.retries < 0) {
    throw UsageError("--timeout must be positive and --retries not negative");
  }
  auto opened = open_with_inventory(ctx);
  if (!opened) {
    return kFailed;
  }
  core::Store* store = opened->store.get();
  const core::Inventory* inv = &opened->inventory;
  const std::string id = (*vm)["contract"].as<std::string>();
  const core::Contract* c = inv->find_contract(id);
  if (c == nullptr) {
    return report(make_error(Errc::not_found, "no contract " + id + " in the inventory"));
  }
  std::vector<core::Observation> results;
  for (const auto& t : c->probe_targets) {
    for (const auto s : t.services) {
      const auto r = core::probe(t.address, s, t.www_path, o, *ctx.clock);
      const std::string service(to_string(s));
      std::cout << std::left << std::setw(40) << t.address << std::setw(7) << service << (r.pass ? "pass" : "FAIL")
                << "  " << r.detail << "\n";
      core::Observation obs;
      obs.time = r.at;
      obs.entity = core::EntityId::probe(t.address, service);
      obs.state = r.pass ? core::State::pass : core::State::fail;
      obs.source = core::Source::probe;
      obs.received = r.at;
      obs.origin = "probe:" + service + ":" + t.address;
      obs.evidence = r.detail;
      results.push_back(std::move(obs));
    }
  }
  if (results.empty()) {
    std::cout << id << " has no probe targets\n";
    return kOk;
  }
  if (auto n = store->add_observations(results); !n) {
    return report(n.error());
  }
  return kOk;
}

}  // namespace

bool is_probe_command(const std::string& command) { return command == "probe"; }

int run_probe(Context& ctx, const std::string& /*command*/) { return probe(ctx); }

}  // namespace colosla::cli
