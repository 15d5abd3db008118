#include "colosla/model/inventory.hpp"

#include <fstream>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

std::string read(const std::string& relative) {
  std::ifstream in(colosla::test::source_file(relative));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto p = text.find(from);
  REQUIRE(p != std::string::npos);
  return text.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("the SPEC's example inventory is valid and read whole", "[inventory]") {
  InventoryValidator v;
  auto r = v.validate({{"inventory.json", read("examples/inventory.json")}});
  INFO((r ? std::string() : r.error().front().to_string()));
  REQUIRE(r.has_value());
  const Inventory& inv = r->inventory;
  REQUIRE(inv.devices.size() == 4);
  CHECK(inv.find_device("pdu1")->role == Role::pdu);
  CHECK(inv.find_device("pdu1")->snmp.version == "v3");
  CHECK(inv.find_device("ups1")->snmp.community == "public");  // the default
  CHECK(inv.find_device("core1")->netconf->port == 830);
  CHECK(inv.uplinks == std::vector<PortRef>{{"core1", "xe-0/0/0"}});
  CHECK(inv.calendar.holidays ==
        std::vector{std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::October,
                                                std::chrono::day{1}}});
  const Contract* c = inv.find_contract("C-001");
  REQUIRE(c != nullptr);
  CHECK(c->start == at("2026-11-01T00:00:00+08:00"));
  CHECK(c->end == at("2027-11-01T00:00:00+08:00"));
  CHECK(c->end_given);
  CHECK(c->monthly_fee == 300'000);
  CHECK(c->installation_fee == 50'000);
  CHECK(c->power_sources == std::vector<PowerSourceRef>{{"pdu1", "4"}, {"ups1", std::nullopt}});
  CHECK(c->probe_targets.at(0).services == std::vector{ProbeService::icmp, ProbeService::www});
  CHECK(c->contacts.at(0).channel == Channel::mobile);
  CHECK(c->sla.report_window_days == 5);
  CHECK(r->document.find("\"www-path\": \"/\"") != std::string::npos);  // defaults written out
}

TEST_CASE("a value of hundreds of kilobytes is refused, not a crash", "[inventory]") {
  // libyang quotes the value in its message and its location; std::regex once overflowed the
  // stack on them.
  InventoryValidator v;
  const std::string huge(300'000, 'x');
  auto r = v.validate({{"huge.json", replace(read("examples/inventory.json"),
                                             R"("start":"2026-11-01T00:00:00+08:00")",
                                             R"("start":")" + huge + "\"")}});
  REQUIRE_FALSE(r.has_value());
  REQUIRE_FALSE(r.error().empty());
  CHECK(r.error().front().message.size() < 3000);
}

TEST_CASE("a contract without an end runs one year; defaults are applied", "[inventory]") {
  InventoryValidator v;
  std::string doc = read("examples/inventory.json");
  doc = replace(doc, "\"end\":\"2027-11-01T00:00:00+08:00\",", "");
  doc = replace(doc, "\"time-zone\":\"Asia/Shanghai\",", "");
  auto r = v.validate({{"x.json", doc}});
  REQUIRE(r.has_value());
  const Contract& c = r->inventory.contracts.at(0);
  CHECK_FALSE(c.end_given);
  CHECK(c.time_zone == "Asia/Shanghai");
  CHECK(c.end == at("2027-11-01T00:00:00+08:00"));
  CHECK(r->document.find("\"end\": \"2027-11-01T00:00:00+08:00\"") != std::string::npos);
}

TEST_CASE("XML is the same document", "[inventory]") {
  InventoryValidator v;
  const std::string xml = R"(<inventory xmlns="urn:colosla:yang:colosla-inventory">
  <device><name>sw1</name><role>switch</role><address>192.0.2.10</address><plugin>if-mib</plugin></device>
  <contract>
    <id>C-9</id><customer>X</customer><service>cabinet-rental</service><signed>2026-10-30</signed>
    <start>2026-11-01T00:00:00+08:00</start><monthly-fee>10.5</monthly-fee>
    <port><device>sw1</device><interface>ge-0/0/9</interface></port>
  </contract>
</inventory>
)";
  auto r = v.validate({{"inv.xml", xml}});
  INFO((r ? std::string() : r.error().front().to_string()));
  REQUIRE(r.has_value());
  CHECK(r->inventory.contracts.at(0).monthly_fee == 1'050);
  CHECK(r->inventory.contracts.at(0).service == ServiceType::cabinet_rental);

  auto bad = v.validate({{"inv.xml", replace(xml, "<role>switch</role>", "<role>hub</role>")}});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().at(0).to_string() ==
        "inv.xml:2: /colosla-inventory:inventory/device[name='sw1']/role: Invalid enumeration "
        "value \"hub\"");
}

TEST_CASE("an inventory may come in several files", "[inventory]") {
  InventoryValidator v;
  const std::string devices = R"({"colosla-inventory:inventory":{"device":[
    {"name":"sw1","role":"switch","address":"192.0.2.10","plugin":"if-mib"}]}})";
  const std::string contracts = R"({"colosla-inventory:inventory":{"contract":[
    {"id":"C-1","customer":"X","service":"colocation","signed":"2026-10-30",
     "start":"2026-11-01T00:00:00+08:00","monthly-fee":"100.00",
     "port":[{"device":"sw1","interface":"ge-0/0/1"}]}]}})";
  SECTION("references between files resolve") {
    auto r = v.validate({{"devices.json", devices}, {"contracts.json", contracts}});
    REQUIRE(r.has_value());
    CHECK(r->files == std::vector<std::string>{"devices.json", "contracts.json"});
  }
  SECTION("a reference to nothing is reported against the file that makes it") {
    auto r = v.validate({{"contracts.json", contracts}});
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error().size() == 1);
    CHECK(r.error()[0].file == "contracts.json");
    CHECK(r.error()[0].path ==
          "/colosla-inventory:inventory/contract[id='C-1']/port[device='sw1'][interface='ge-0/0/"
          "1']/device");
  }
  SECTION("the same device in two files is an error, not a merge") {
    auto r = v.validate(
        {{"devices.json", devices}, {"more.json", devices}, {"contracts.json", contracts}});
    REQUIRE_FALSE(r.has_value());
    CHECK(
        r.error()[0].to_string() ==
        "more.json: /colosla-inventory:inventory/device[name='sw1']: also defined in devices.json");
  }
}

TEST_CASE("every problem names the file, the line where libyang has one, and the path",
          "[inventory]") {
  InventoryValidator v;
  const std::string doc = read("examples/inventory.json");
  SECTION("a type error carries its line") {
    auto r = v.validate(
        {{"a.json", replace(doc, "\"service\":\"colocation\"", "\"service\":\"hosting\"")}});
    REQUIRE_FALSE(r.has_value());
    const Diagnostic& d = r.error().at(0);
    CHECK(d.file == "a.json");
    CHECK(d.line == 15);
    CHECK(d.path == "/colosla-inventory:inventory/contract[id='C-001']/service");
    CHECK(d.message == "Invalid enumeration value \"hosting\"");
  }
  SECTION("several checks of ours report every problem at once") {
    std::string bad =
        replace(doc, "\"time-zone\":\"Asia/Shanghai\"", "\"time-zone\":\"Mars/Olympus\"");
    bad = replace(bad, "\"signed\":\"2026-10-30\"", "\"signed\":\"2026-02-31\"");
    auto r = v.validate({{"b.json", bad}});
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error().size() == 2);
    CHECK(r.error()[0].path == "/colosla-inventory:inventory/contract[id='C-001']/time-zone");
    CHECK(r.error()[1].message == "\"2026-02-31\" is not a day: 2026-02 has 28 days");
  }
  SECTION("a document of another module") {
    auto r = v.validate({{"c.json", "{\"colosla-inventory:nothing\":{}}"}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().at(0).file == "c.json");
  }
  SECTION("JSON that is not an inventory") {
    auto r = v.validate({{"d.json", "{}"}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().at(0).message.find("no \"colosla-inventory:inventory\" object") == 0);
  }
  SECTION("a file that cannot be read") {
    auto r = v.validate_files({"/nonexistent/inventory.json"});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().at(0).to_string() ==
          "/nonexistent/inventory.json: cannot be read: No such file or directory");
  }
}

TEST_CASE("a device may name several plugins, separated by spaces", "[inventory]") {
  InventoryValidator v;
  const auto doc = [](const std::string& plugin) {
    return R"({"colosla-inventory:inventory":{"device":[
    {"name":"combo1","role":"switch","address":"192.0.2.40","plugin":")" +
           plugin + R"("}]}})";
  };
  auto one = v.validate({{"one.json", doc("if-mib")}});
  REQUIRE(one.has_value());
  CHECK(plugin_names(one->inventory.devices.at(0)) == std::vector<std::string>{"if-mib"});
  auto two = v.validate({{"two.json", doc("if-mib ups-mib")}});
  INFO((two ? std::string() : two.error().front().to_string()));
  REQUIRE(two.has_value());
  CHECK(two->inventory.devices.at(0).plugin == "if-mib ups-mib");
  CHECK(plugin_names(two->inventory.devices.at(0)) ==
        std::vector<std::string>{"if-mib", "ups-mib"});
  for (const char* bad : {"if-mib,ups-mib", "if-mib  ups-mib", " if-mib", "if-mib "}) {
    INFO(bad);
    auto r = v.validate({{"bad.json", doc(bad)}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().at(0).path == "/colosla-inventory:inventory/device[name='combo1']/plugin");
    CHECK(r.error().at(0).message ==
          "a plugin name is lower-case letters, digits and '-'; several names are separated by "
          "single spaces");
  }
}

TEST_CASE("a PDU may say which phase feeds each outlet", "[inventory]") {
  InventoryValidator v;
  const auto doc = [](const std::string& role, const std::string& outlets) {
    return R"({"colosla-inventory:inventory":{"device":[
    {"name":"pdu3","role":")" +
           role + R"(","address":"192.0.2.21","plugin":"apc-pdu")" + outlets + "}]}}";
  };
  auto without = v.validate({{"old.json", doc("pdu", "")}});
  REQUIRE(without.has_value());
  CHECK(without->inventory.devices.at(0).outlet_phases.empty());
  CHECK_FALSE(without->inventory.devices.at(0).phase_of("1").has_value());
  auto with = v.validate({{"new.json", doc("pdu", R"(,"outlet":[{"name":"1","phase":1},
      {"name":"2","phase":2},{"name":"3","phase":3},{"name":"4","phase":2}])")}});
  INFO((with ? std::string() : with.error().front().to_string()));
  REQUIRE(with.has_value());
  const Device& d = with->inventory.devices.at(0);
  CHECK(d.outlet_phases.size() == 4);
  CHECK(d.phase_of("2") == std::optional<std::uint8_t>(2));
  CHECK(d.phase_of("4") == std::optional<std::uint8_t>(2));
  CHECK_FALSE(d.phase_of("5").has_value());
  auto four = v.validate({{"four.json", doc("pdu", R"(,"outlet":[{"name":"1","phase":4}])")}});
  REQUIRE_FALSE(four.has_value());
  CHECK(four.error().at(0).path ==
        "/colosla-inventory:inventory/device[name='pdu3']/outlet[name='1']/phase");
  auto ups = v.validate({{"ups.json", doc("ups", R"(,"outlet":[{"name":"1","phase":1}])")}});
  REQUIRE_FALSE(ups.has_value());
  CHECK(ups.error().at(0).message == "only a pdu has outlets");
}
