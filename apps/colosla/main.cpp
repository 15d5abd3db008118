// colosla: the command line of the SLA suite (SPEC §8). Thin: it parses options, calls the
// core, and renders what comes back. The commands, their usage and their help are the command
// table's (commands.cpp).
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/store/store.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace colosla;
  set_log_sink(stderr_log_sink());
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::Context ctx;
  const char* env_db = std::getenv("COLOSLA_DB");
  ctx.db = env_db != nullptr && *env_db != '\0' ? env_db : "colosla.db";
  // A path, not a secret: the key itself is only ever in that file.
  if (const char* key = std::getenv("COLOSLA_SECRETS_KEY"); key != nullptr && *key != '\0') {
    ctx.secrets_key = key;
  }
  SystemClock clock;
  ctx.clock = &clock;
  // Started by colosla-trapd as a daemon (a poll, a NETCONF listener): log where it logs.
  if (const char* sink = std::getenv("COLOSLA_LOG");
      sink != nullptr && std::string_view(sink) == "syslog") {
    set_log_sink(syslog_sink("colosla"));
  }

  // Options before the command word: --db PATH, --db=PATH, --help, --version.
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--db" && i + 1 < args.size()) {
      ctx.db = args[++i];
    } else if (a.rfind("--db=", 0) == 0) {
      ctx.db = a.substr(5);
    } else if (a == "--secrets-key" && i + 1 < args.size()) {
      ctx.secrets_key = args[++i];
    } else if (a.rfind("--secrets-key=", 0) == 0) {
      ctx.secrets_key = a.substr(14);
    } else if (a == "-h" || a == "--help" || a == "help") {
      std::cout << cli::usage();
      return cli::kOk;
    } else if (a == "--version" || a == "version") {
      std::cout << "colosla 0.1.0 (store schema " << core::Store::kSchemaVersion << ")\n";
      return cli::kOk;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    std::cerr << cli::usage();
    return cli::kUsage;
  }
  const std::string word = args[i++];
  try {
    const cli::Command* command = nullptr;
    if (cli::is_group(word)) {
      // Two words: "inventory load". The group alone with --help lists its commands.
      ctx.command = word;
      if (i < args.size() && (args[i] == "-h" || args[i] == "--help")) {
        std::cout << cli::group_usage(word);
        return cli::kOk;
      }
      if (i >= args.size() || args[i].rfind("-", 0) == 0) {
        throw cli::UsageError("colosla " + word + " needs a subcommand");
      }
      const std::string& sub = args[i++];
      command = cli::find_command(word, sub);
      if (command == nullptr) {
        throw cli::UsageError("unknown subcommand \"" + word + " " + sub + "\" (" +
                              cli::group_words(word) + ")");
      }
    } else {
      command = cli::find_command("", word);
      if (command == nullptr) {
        throw cli::UsageError("unknown command \"" + word + "\"");
      }
    }
    ctx.command = cli::full_name(*command);
    ctx.entry = command;
    ctx.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return command->run(ctx);
  } catch (const cli::UsageError& e) {
    std::cerr << "colosla: " << e.what() << "\n(colosla --help lists the commands; colosla "
              << (ctx.command.empty() ? std::string("COMMAND") : ctx.command)
              << " --help lists the options)\n";
    return cli::kUsage;
  } catch (const ConfigError& e) {
    std::cerr << "colosla: " << e.what() << "\n";
    return cli::kFailed;
  }
}
