#include "common/cli.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <sstream>

#include "common/tool.hpp"

namespace {

/// Runs a Tool with `args`, capturing what it prints on stdout.
struct Captured {
    int exit_code;
    std::string out;
};

Captured run_tool(std::vector<std::string> args, bool* body_ran = nullptr) {
    pgkit::Tool tool({.name = "pg-example",
                      .purpose = "pg-example does one thing.",
                      .usage = {"pg-example [OPTION]... NAME"},
                      .closing = "By default, nothing happens."});
    std::optional<std::string> owner;
    tool.app().add_option("-O,--owner", owner, "the owner")->type_name("OWNER");
    std::vector<char*> argv;
    std::string program = "pg-example";
    argv.push_back(program.data());
    for (auto& arg : args) argv.push_back(arg.data());
    std::ostringstream captured;
    auto* saved = std::cout.rdbuf(captured.rdbuf());
    const int code = tool.run(static_cast<int>(argv.size()), argv.data(), [&] {
        if (body_ran != nullptr) *body_ran = true;
        pgkit::Outcome outcome;
        outcome.text = "did it";
        outcome.json = {{"thing", "done"}};
        return outcome;
    });
    std::cout.rdbuf(saved);
    return {code, captured.str()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(help_has_postgresqls_shape_with_one_option_per_line) {
    const Captured result = run_tool({"--help"});
    BOOST_TEST(result.exit_code == 0);
    const std::string& help = result.out;
    BOOST_TEST(help.rfind("pg-example does one thing.\n\nUsage:\n  pg-example [OPTION]... NAME\n",
                          0) == 0);
    const auto options_at = help.find("\nOptions:\n");
    const auto connection_at = help.find("\nConnection options:\n");
    BOOST_TEST(options_at != std::string::npos);
    BOOST_TEST(connection_at > options_at);
    BOOST_TEST(help.find("By default, nothing happens.") > connection_at);
    // The tool's own option comes first, then the shared ones, -V and -? last of them.
    BOOST_TEST(help.find("  -O, --owner=OWNER") < help.find("  -e, --echo"));
    BOOST_TEST(help.find("--lock-timeout=SECONDS") < help.find("  -V, --version"));
    BOOST_TEST(help.find("  -V, --version") < help.find("  -?, --help"));
    BOOST_TEST(help.find("  -?, --help") < connection_at);
    for (const char* line : {"  -h, --host=HOSTNAME", "  -p, --port=PORT",
                             "  -U, --username=USERNAME", "  -w, --no-password",
                             "  -W, --password", "      --maintenance-db=DBNAME",
                             "      --connect-timeout=SECONDS", "      --wait=SECONDS",
                             "  -?, --help", "  -V, --version", "      --dry-run",
                             "  -q, --quiet", "      --format=FORMAT"}) {
        BOOST_TEST(help.find(line) != std::string::npos, "missing: " << line);
    }
    // Every option line has the shape bash-completion's _parse_help reads.
    std::istringstream lines(help);
    std::string line;
    const std::regex option_line(R"(^  (-[^\s,], |    )--[a-z][a-z-]*(=\S+)?( +\S.*)?$)");
    while (std::getline(lines, line)) {
        if (line.find("  -") == 0 || line.find("      --") == 0) {
            BOOST_TEST(std::regex_match(line, option_line), "bad option line: " << line);
        }
        BOOST_TEST(line.size() <= 100, "line too long: " << line);
    }
}

BOOST_AUTO_TEST_CASE(question_mark_is_help_and_dash_h_is_the_host) {
    BOOST_TEST(run_tool({"-?"}).out.find("Usage:") != std::string::npos);
    bool ran = false;
    run_tool({"-h", "somehost", "--dry-run"}, &ran);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(version_prints_the_kits_version) {
    const Captured result = run_tool({"--version"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(std::regex_match(result.out, std::regex(R"(pg-example \(pgkit\) \d+\.\d+\.\d+\n)")));
}

BOOST_AUTO_TEST_CASE(parse_errors_are_exit_2_and_nothing_runs) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--bogus"}, {"--owner"}, {"--connect-timeout", "abc"}, {"--format", "yaml"},
             {"-p", "99999"}, {"-p", "0"}, {"-w", "-W"}, {"--wait", "-3"}, {"--wait", "nan"},
             {"--wait", "1e10"}, {"--maintenance-db", "postgresql:///db?nosuchoption=1"},
             {"--maintenance-db", "host=x port"}}) {
        bool ran = false;
        const Captured result = run_tool(args, &ran);
        BOOST_TEST(result.exit_code == 2, "args: " << args.front());
        BOOST_TEST(!ran, "body ran for: " << args.front());
    }
}

BOOST_AUTO_TEST_CASE(json_format_prints_one_document_on_failure_too) {
    const Captured failure = run_tool({"--format", "json", "--bogus"});
    BOOST_TEST(failure.exit_code == 2);
    const auto document = nlohmann::json::parse(failure.out);
    BOOST_TEST(document["exit_code"].get<int>() == 2);
    BOOST_TEST(document["ok"].get<bool>() == false);
    BOOST_TEST(!document["message"].get<std::string>().empty());

    const Captured success = run_tool({"--format=json"});
    const auto done = nlohmann::json::parse(success.out);
    BOOST_TEST(done["ok"].get<bool>());
    BOOST_TEST(done["thing"].get<std::string>() == "done");
}

BOOST_AUTO_TEST_CASE(quiet_prints_nothing_on_success) {
    BOOST_TEST(run_tool({}).out == "did it\n");
    BOOST_TEST(run_tool({"-q"}).out.empty());
}

BOOST_AUTO_TEST_SUITE_END()
