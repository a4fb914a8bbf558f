#define BOOST_TEST_MODULE pgkit documentation
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "support/cluster.hpp"
#include "support/process.hpp"

namespace data = boost::unit_test::data;
using namespace pgkit::test;

namespace {

std::vector<std::string> tools() {
    std::vector<std::string> names;
    std::stringstream list(PGKIT_TOOL_LIST);
    std::string name;
    while (std::getline(list, name, ',')) names.push_back(name);
    return names;
}

std::set<std::string> long_options_in_help(const std::string& tool) {
    Command command;
    command.argv = {tool_path(tool), "--help"};
    const Outcome help = run(command);
    BOOST_REQUIRE_EQUAL(help.exit_code, 0);
    std::set<std::string> options;
    const std::regex option(R"(^  (?:-\S, |    )(--[a-z][a-z0-9-]*))");
    std::istringstream lines(help.out);
    std::string line;
    std::smatch match;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, match, option)) options.insert(match[1]);
    }
    return options;
}

std::string source_file(const std::string& relative) {
    const std::string text = read_file(std::string(PGKIT_SOURCE_DIR) + "/" + relative);
    BOOST_TEST_REQUIRE(!text.empty(), relative << " is missing or empty");
    return text;
}

/// roff writes a hyphen-minus as \- ; the reader sees "-".
std::string unescape_roff(std::string text) {
    for (std::size_t at = 0; (at = text.find("\\-", at)) != std::string::npos;) {
        text.replace(at, 2, "-");
    }
    return text;
}

}  // namespace

BOOST_DATA_TEST_CASE(every_long_option_of_help_is_in_the_man_page_and_completions,
                     data::make(tools()), tool) {
    const std::set<std::string> options = long_options_in_help(tool);
    BOOST_TEST(options.size() >= 10u);
    const std::vector<std::pair<std::string, std::string>> files = {
        {"man/" + tool + ".1", unescape_roff(source_file("man/" + tool + ".1"))},
        {"completions/bash/" + tool, source_file("completions/bash/" + tool)},
        {"completions/zsh/_" + tool, source_file("completions/zsh/_" + tool)},
        {"completions/fish/" + tool + ".fish", source_file("completions/fish/" + tool + ".fish")},
    };
    for (const auto& option : options) {
        for (const auto& [name, text] : files) {
            BOOST_TEST(text.find(option) != std::string::npos, name << " lacks " << option);
        }
    }
}

BOOST_DATA_TEST_CASE(man_page_has_the_sections_users_look_for, data::make(tools()), tool) {
    const std::string page = source_file("man/" + tool + ".1");
    for (const std::string section : {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT",
                                      "EXIT STATUS", "EXAMPLES", "SEE ALSO"}) {
        const bool found = page.find(".SH " + section + "\n") != std::string::npos ||
                           page.find(".SH \"" + section + "\"\n") != std::string::npos;
        BOOST_TEST(found, tool << ".1 lacks section " << section);
    }
}

BOOST_DATA_TEST_CASE(man_page_renders_without_warnings, data::make(tools()), tool) {
    Command command;
    command.argv = {"/bin/sh", "-c",
                    "command -v man >/dev/null || { echo 'man is not installed'; exit 99; }; "
                    "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l \"$0\" >/dev/null",
                    std::string(PGKIT_SOURCE_DIR) + "/man/" + tool + ".1"};
    const Outcome rendered = run(command);
    BOOST_TEST(rendered.exit_code == 0, rendered.out << rendered.err);
    BOOST_TEST(rendered.err.empty(), "man --warnings: " << rendered.err);
}

/// Where the bash-completion package is not installed (no _init_completion), Tab still
/// completes options, and prints nothing on the terminal.
BOOST_DATA_TEST_CASE(bash_completion_works_without_the_bash_completion_package,
                     data::make(tools()), tool) {
    const std::string function = "_pgkit_" + tool.substr(3);  // pg-seed -> _pgkit_seed
    for (const bool with_common : {true, false}) {
        Command command;
        // A copy of the tool's file alone stands for an install without pgkit-common.
        command.argv = {"/bin/bash", "--norc", "--noprofile", "-c",
                        "set -u; dir=$(mktemp -d); cp \"$1\" \"$dir/\"; "
                        "[ \"$3\" = with ] && cp \"$(dirname \"$1\")/pgkit-common\" \"$dir/\"; "
                        "source \"$dir/$(basename \"$1\")\"; rm -r \"$dir\"; "
                        "COMP_WORDS=(\"$0\" --ver); COMP_CWORD=1; \"$2\"; "
                        "printf '%s\\n' \"${COMPREPLY[@]}\"",
                        tool, std::string(PGKIT_SOURCE_DIR) + "/completions/bash/" + tool, function,
                        with_common ? "with" : "without"};
        const Outcome completed = run(command);
        BOOST_TEST(completed.exit_code == 0, completed.err);
        BOOST_TEST(completed.err.empty(), tool << ": " << completed.err);
        // With pgkit-common, options complete; without it or bash-completion, nothing does.
        BOOST_TEST((completed.out == (with_common ? "--version\n" : "\n")),
                   tool << " (" << (with_common ? "with" : "without") << " pgkit-common): "
                        << completed.out);
    }
}

/// Each completion file parses in its shell (bash -n, zsh -n, fish -n), the shared ones too.
BOOST_DATA_TEST_CASE(completion_files_parse_in_their_shells, data::make(tools()), tool) {
    const std::string dir = std::string(PGKIT_SOURCE_DIR) + "/completions/";
    const std::vector<std::pair<std::string, std::string>> files = {
        {"bash", dir + "bash/" + tool},
        {"bash", dir + "bash/pgkit-common"},
        {"zsh", dir + "zsh/_" + tool},
        {"zsh", dir + "zsh/_pgkit_query"},
        {"fish", dir + "fish/" + tool + ".fish"},
        {"fish", dir + "fish/functions/__pgkit_query.fish"}};
    for (const auto& [shell, file] : files) {
        Command command;
        command.argv = {"/bin/sh", "-c",
                        "command -v \"$0\" >/dev/null || { echo \"$0 is not installed\"; exit 99; }; "
                        "exec \"$0\" -n \"$1\"",
                        shell, file};
        const Outcome parsed = run(command);
        BOOST_TEST(parsed.exit_code == 0, shell << " -n " << file << ": " << parsed.out << parsed.err);
    }
}
