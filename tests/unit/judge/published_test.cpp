#include "colosla/judge/published.hpp"

#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::TempDir;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ContractStatus figures(const std::string& id, std::int64_t counted) {
  ContractStatus s;
  s.contract = id;
  s.month = "2026-11";
  s.as_of = colosla::test::at("2026-11-05T02:12:00Z");
  s.network.counted_seconds = counted;
  s.network.budget_seconds = 2640;
  s.down_now.push_back(DownNow{CheckedGuarantee::network, "port sw1 ge-0/0/1",
                               "2026-11-05T10:00:00+08:00", "pending"});
  return s;
}

}  // namespace

TEST_CASE("published figures: the file of a contract", "[published]") {
  CHECK(status_file_name("C-001") == "C-001.json");
  CHECK(status_file_name("cust_7.a") == "cust_7.a.json");
  CHECK(status_file_name(".hidden") == "%2Ehidden.json");  // never a dot file
  CHECK(status_file_name("../etc/x y") == "%2E.%2Fetc%2Fx%20y.json");
  CHECK(status_file_name("C%1") == "C%251.json");  // the escape itself, escaped
  CHECK(status_file_name("客户") == "%E5%AE%A2%E6%88%B7.json");
  CHECK(default_status_dir("/var/lib/colosla/colosla.db") == "/var/lib/colosla/status");
  CHECK(default_status_dir("colosla.db") == "status");
  // A PostgreSQL store has no directory: the package's, on each node that publishes.
  CHECK(default_status_dir("postgresql://colosla@db.example/colosla") == "/var/lib/colosla/status");
  CHECK(default_status_dir("service=colosla") == "/var/lib/colosla/status");
}

TEST_CASE("published figures: written, read back, replaced whole, stale ones removed",
          "[published]") {
  TempDir tmp;
  const std::string dir = tmp.file("status");
  REQUIRE(ensure_status_dir(dir).has_value());
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 02750);
  REQUIRE(ensure_status_dir(dir).has_value());  // already there: fine

  SECTION("the format: one line of JSON, 0640, what check_colosla reads back") {
    REQUIRE(publish_status(dir, "C-001", to_json(figures("C-001", 1800)), 1796600000).has_value());
    const std::string text = read_file(dir + "/C-001.json");
    CHECK(text.rfind("{\"computed-at\":1796600000,\"status\":{\"as-of\":", 0) == 0);
    CHECK(text.find(
              "\"down-now\":[{\"guarantee\":\"network\",\"since\":\"2026-11-05T10:00:00+08:00\","
              "\"sla\":\"pending\",\"what\":\"port sw1 ge-0/0/1\"}]") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    REQUIRE(::stat((dir + "/C-001.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    auto p = read_published(dir, "C-001");
    REQUIRE(p.has_value());
    CHECK(p->file == dir + "/C-001.json");
    CHECK(p->computed_at == 1796600000);
    CHECK(p->evaluated_at == 0);
    CHECK(to_json(p->status) == to_json(figures("C-001", 1800)));
    // A later evaluation that did not judge it again vouches for it.
    REQUIRE(publish_evaluation(dir, 1796600060).has_value());
    p = read_published(dir, "C-001");
    REQUIRE(p.has_value());
    CHECK(p->computed_at == 1796600060);
    CHECK(p->evaluated_at == 1796600060);
    // An older mark does not make the figures older.
    REQUIRE(publish_evaluation(dir, 1796500000).has_value());
    CHECK(read_published(dir, "C-001")->computed_at == 1796600000);
  }

  SECTION("replaced by rename: the new figures, and no temporary file left") {
    REQUIRE(publish_status(dir, "C-001", to_json(figures("C-001", 60)), 100).has_value());
    REQUIRE(::stat((dir + "/C-001.json").c_str(), &st) == 0);
    const ino_t before = st.st_ino;
    REQUIRE(publish_status(dir, "C-001", to_json(figures("C-001", 120)), 200).has_value());
    REQUIRE(::stat((dir + "/C-001.json").c_str(), &st) == 0);
    CHECK(st.st_ino != before);  // a new file, not the old one rewritten in place
    auto p = read_published(dir, "C-001");
    REQUIRE(p.has_value());
    CHECK(p->status.network.counted_seconds == 120);
    CHECK(p->computed_at == 200);
    CHECK(names_in(dir) == std::vector<std::string>{"C-001.json"});
  }

  SECTION("stale figures and a dead writer's temporary files are removed") {
    for (const char* id : {"C-001", "C-002", "C-003"}) {
      REQUIRE(publish_status(dir, id, to_json(figures(id, 0)), 100).has_value());
    }
    REQUIRE(publish_evaluation(dir, 100).has_value());
    REQUIRE(publish_contracts(dir, {{"C-001", "Example Ltd"}, {"C-003", "Other"}}).has_value());
    std::ofstream(dir + "/.tmp-old111") << "{";
    std::ofstream(dir + "/.tmp-new222") << "{";
    std::ofstream(dir + "/notes.txt") << "an operator's";
    const utimbuf old{1796600000 - 3600, 1796600000 - 3600};
    REQUIRE(::utime((dir + "/.tmp-old111").c_str(), &old) == 0);
    const utimbuf recent{1796600000 - 10, 1796600000 - 10};
    REQUIRE(::utime((dir + "/.tmp-new222").c_str(), &recent) == 0);
    auto removed = remove_stale(dir, {"C-001", "C-003"}, 1796600000);
    REQUIRE(removed.has_value());
    CHECK(*removed == 2);
    CHECK(names_in(dir) == std::vector<std::string>{".contracts.json", ".evaluated", ".tmp-new222",
                                                    "C-001.json", "C-003.json", "notes.txt"});
    auto contracts = read_published_contracts(dir);
    REQUIRE(contracts.has_value());
    CHECK(*contracts == std::vector<std::pair<std::string, std::string>>{{"C-001", "Example Ltd"},
                                                                         {"C-003", "Other"}});
  }

  SECTION("what a reader is told when there is nothing to read") {
    auto none = read_published(dir, "C-404");
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().code == Errc::not_found);
    CHECK(none.error().to_string() == dir + ": no published figures of C-404");
    auto no_dir = read_published(tmp.file("nowhere"), "C-001");
    REQUIRE_FALSE(no_dir.has_value());
    CHECK(no_dir.error().code == Errc::not_found);
    CHECK(no_dir.error().msg == "no status directory (No such file or directory)");
    std::ofstream(dir + "/C-002.json") << "{\"computed-at\":1,";
    auto bad = read_published(dir, "C-002");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == Errc::invalid_input);
    CHECK(bad.error().where == dir + "/C-002.json");
  }
}
