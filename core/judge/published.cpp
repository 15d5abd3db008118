// The published figures (published.hpp): plain POSIX files, nlohmann/json; no SQLite.
#include "colosla/judge/published.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "colosla/base/store_location.hpp"

namespace colosla::core {

namespace {

using nlohmann::json;

constexpr const char* kEvaluated = ".evaluated";
constexpr const char* kContracts = ".contracts.json";
constexpr const char* kTempPrefix = ".tmp-";

Error io_error(const std::string& what, const std::string& path, int err = errno) {
  return make_error(Errc::io, what + ": " + std::strerror(err), path);
}

struct CloseFd {
  int fd = -1;
  ~CloseFd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

// The whole file; not_found when it is not there.
Result<std::string> slurp(const std::string& path) {
  CloseFd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return make_error(Errc::not_found, "no such file", path);
    }
    return io_error("cannot read", path, err);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error("cannot read", path);
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (64u << 20)) {
      return make_error(Errc::invalid_input, "larger than 64 MiB", path);
    }
  }
  return out;
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : (dir.back() == '/' ? dir + name : dir + "/" + name);
}

}  // namespace

std::string default_status_dir(const std::string& db) {
  if (is_postgresql_location(db)) {
    return "/var/lib/colosla/status";
  }
  const auto slash = db.rfind('/');
  if (slash == std::string::npos) {
    return "status";
  }
  return db.substr(0, slash + 1) + "status";
}

std::string status_file_name(std::string_view contract) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < contract.size(); ++i) {
    const auto c = static_cast<unsigned char>(contract[i]);
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out + ".json";
}

Result<void> ensure_status_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return make_error(Errc::io, "is not a directory", dir);
    }
    return {};
  }
  if (errno != ENOENT) {
    return io_error("cannot use the status directory", dir);
  }
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    return io_error("cannot make the status directory", dir);
  }
  // mkdir applies the umask and may drop the set-group-ID bit: set both as meant.
  if (::chmod(dir.c_str(), 02750) != 0) {
    return io_error("cannot set the status directory's mode", dir);
  }
  return {};
}

Result<void> write_atomically(const std::string& dir, const std::string& name,
                              std::string_view content) {
  const std::string path = join(dir, name);
  std::string temp = join(dir, std::string(kTempPrefix) + "XXXXXX");
  CloseFd f{::mkstemp(temp.data())};
  if (f.fd < 0) {
    return io_error("cannot write a temporary file in the status directory", dir);
  }
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    ::unlink(temp.c_str());
    return io_error(what, path, err);
  };
  // The monitoring users read it through the directory's group (set-group-ID gives it; without
  // that bit, give it here when this process is in that group).
  struct stat d {};
  if (::fstat(f.fd, &d) != 0 || ::fchmod(f.fd, 0640) != 0) {
    return fail("cannot set the mode of");
  }
  struct stat parent {};
  if (::stat(dir.empty() ? "." : dir.c_str(), &parent) == 0 && parent.st_gid != d.st_gid) {
    (void)::fchown(f.fd, static_cast<uid_t>(-1), parent.st_gid);  // EPERM: keep our group
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  // No fsync: after a crash the evaluator's first run (a full one) publishes everything again,
  // and a reader takes an empty or missing file for figures it does not have.
  if (::close(f.fd) != 0) {
    f.fd = -1;
    return fail("cannot write");
  }
  f.fd = -1;
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return fail("cannot replace");
  }
  return {};
}

Result<void> publish_status(const std::string& dir, const std::string& contract,
                            const std::string& status_json, std::int64_t computed_at) {
  json status = json::parse(status_json, nullptr, false);
  if (status.is_discarded()) {
    return make_error(Errc::invalid_input, "the figures of " + contract + " are not JSON");
  }
  const json doc{{"computed-at", computed_at}, {"status", std::move(status)}};
  return write_atomically(dir, status_file_name(contract), doc.dump() + "\n");
}

Result<void> publish_evaluation(const std::string& dir, std::int64_t evaluated_at) {
  return write_atomically(dir, kEvaluated, json{{"evaluated-at", evaluated_at}}.dump() + "\n");
}

Result<void> publish_contracts(const std::string& dir,
                               const std::vector<std::pair<std::string, std::string>>& contracts) {
  json list = json::array();
  for (const auto& [id, customer] : contracts) {
    list.push_back(json{{"contract", id}, {"customer", customer}});
  }
  return write_atomically(dir, kContracts, list.dump() + "\n");
}

Result<std::size_t> remove_stale(const std::string& dir, const std::set<std::string>& keep,
                                 std::int64_t now) {
  std::set<std::string> kept;
  for (const auto& id : keep) {
    kept.insert(status_file_name(id));
  }
  const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) {
    return io_error("cannot list the status directory", dir);
  }
  std::size_t removed = 0;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    const std::string path = join(dir, name);
    bool stale = false;
    if (name.rfind(kTempPrefix, 0) == 0) {
      struct stat st {};
      stale = ::lstat(path.c_str(), &st) == 0 && now - st.st_mtime > 60;
    } else if (name[0] != '.' && name.size() > 5 &&
               name.compare(name.size() - 5, 5, ".json") == 0) {
      stale = kept.count(name) == 0;
    }
    if (stale) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return io_error("cannot remove", path);
      }
      ++removed;
    }
  }
  return removed;
}

Result<Published> read_published(const std::string& dir, const std::string& contract) {
  Published out;
  out.file = join(dir, status_file_name(contract));
  auto text = slurp(out.file);
  if (!text) {
    if (text.error().code == Errc::not_found) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) {
        return make_error(Errc::not_found,
                          "no status directory (" + std::string(std::strerror(errno)) + ")", dir);
      }
      return make_error(Errc::not_found, "no published figures of " + contract, dir);
    }
    return text.error();
  }
  try {
    const json j = json::parse(*text);
    out.computed_at = j.at("computed-at").get<std::int64_t>();
    auto status = status_from_json(j.at("status").dump());
    if (!status) {
      return make_error(Errc::invalid_input, status.error().msg, out.file);
    }
    out.status = std::move(*status);
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("unreadable figures: ") + e.what(),
                      out.file);
  }
  // The last evaluation vouches for the figures it did not judge again.
  if (auto mark = slurp(join(dir, kEvaluated))) {
    const json j = json::parse(*mark, nullptr, false);
    if (j.is_object() && j.contains("evaluated-at") && j["evaluated-at"].is_number_integer()) {
      out.evaluated_at = j["evaluated-at"].get<std::int64_t>();
      out.computed_at = std::max(out.computed_at, out.evaluated_at);
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> read_published_contracts(
    const std::string& dir) {
  const std::string path = join(dir, kContracts);
  auto text = slurp(path);
  if (!text) {
    return text.error();
  }
  std::vector<std::pair<std::string, std::string>> out;
  try {
    for (const auto& c : json::parse(*text)) {
      out.emplace_back(c.at("contract").get<std::string>(), c.at("customer").get<std::string>());
    }
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("unreadable contract list: ") + e.what(),
                      path);
  }
  return out;
}

}  // namespace colosla::core
