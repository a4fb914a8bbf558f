#include "tools/pg-createuser/attributes.hpp"

#include <fmt/format.h>

#include <iostream>
#include <utility>

#include "common/errors.hpp"
#include "common/password_prompt.hpp"

namespace pgkit {
namespace {

std::string ask(const std::string& prompt) {
    const auto answer = read_line_from_terminal(prompt, true);
    if (!answer) {
        throw UsageError("--interactive needs a terminal to ask on",
                         "Give the role name and the attributes as options instead.");
    }
    return *answer;
}

bool ask_yes_no(const std::string& question) {
    const auto answer = ask_yes_no_on_terminal(question);
    if (!answer) {
        throw UsageError("--interactive needs a terminal to ask on",
                         "Give the role name and the attributes as options instead.");
    }
    return *answer;
}

}  // namespace

AttributeValues attribute_values(const AttributeFlags& flags) {
    AttributeValues values{};
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        const FlagPair& flag = flags[i];
        if (flag.yes && flag.no) {
            throw UsageError(fmt::format("{} cannot be used together", attributes[i].options));
        }
        values[i] = flag.yes ? Tri::yes : flag.no ? Tri::no : Tri::unset;
    }
    return values;
}

void apply_superuser_implies(AttributeValues& values) {
    if (values[superuser] == Tri::yes) {
        values[createdb] = Tri::yes;
        values[createrole] = Tri::yes;
    }
}

std::string ask_role_name() { return ask("Enter name of role to add: "); }

void ask_attributes(AttributeValues& values) {
    const std::array<std::pair<AttributeIndex, const char*>, 3> questions{{
        {superuser, "Shall the new role be a superuser?"},
        {createdb, "Shall the new role be allowed to create databases?"},
        {createrole, "Shall the new role be allowed to create more new roles?"},
    }};
    for (const auto& [index, question] : questions) {
        if (index != superuser && values[superuser] == Tri::yes) continue;
        if (values[index] == Tri::unset) {
            values[index] = ask_yes_no(question) ? Tri::yes : Tri::no;
        }
    }
}

}  // namespace pgkit
