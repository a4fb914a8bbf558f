#define BOOST_TEST_MODULE hostile input against a real server
/// Hostile input for every tool, against the shared cluster (which logs every statement):
///  - names: generated identifiers with every byte but NUL, 1 to 63 bytes, keywords, quotes,
///    injection attempts, unicode; each valid one round-trips exactly through pg-createdb,
///    pg-createuser (also as a membership), pg-listtables and pg-seed --table, and the
///    server's statement log shows that nothing but the intended statements ran. Names that
///    are not UTF-8 are refused by the server (exit 1, its message) or while quoting (pg-seed,
///    exit 2); names over 63 bytes are exit 2 before connecting.
///  - files: a corpus of broken files for pg-seed, each after good ones in one directory: exit
///    6, the file and line named, nothing committed.
///  - option values: bad values of every tool's options are exit 2 before connecting.
/// Names come from a seeded generator: PGKIT_HOSTILE_SEED=N picks another set; the seed is in
/// the context of every failure.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <set>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace fs = std::filesystem;
namespace utf = boost::unit_test;
namespace tt = boost::test_tools;
using namespace pgkit::test;
using Env = std::map<std::string, std::optional<std::string>>;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;

namespace {

// ------------------------------------------------------------------------------- names

/// A name as C would write it, for messages: bytes outside printable ASCII as \xNN.
std::string shown(const std::string& text) {
    std::string out = "\"";
    for (const unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out + '"';
}

Strings shown(const Strings& texts) {
    Strings out;
    for (const auto& text : texts) out.push_back(shown(text));
    return out;
}

/// Texts shown one after the other, for messages.
std::string shown_all(const Strings& texts) {
    std::string out;
    for (const auto& text : texts) out += (out.empty() ? "" : " ") + shown(text);
    return out;
}

/// UTF-8 as PostgreSQL accepts it: shortest forms only, no surrogates, up to U+10FFFF.
bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
        const unsigned char lead = byte(i);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
        if (lead < 0x80) {
            length = 1;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const unsigned char next = byte(i + k);
            if (k == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xBF)) return false;
        }
        i += length;
    }
    return true;
}

std::string utf8(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::uint32_t names_seed() {
    static const std::uint32_t seed = [] {
        const char* given = std::getenv("PGKIT_HOSTILE_SEED");
        return given != nullptr ? static_cast<std::uint32_t>(std::strtoul(given, nullptr, 10))
                                : 20261125u;
    }();
    return seed;
}

struct NameSet {
    Strings valid;     ///< UTF-8, 1 to 63 bytes, all different
    Strings invalid;   ///< not UTF-8, up to 63 bytes: the server refuses them
    Strings too_long;  ///< over 63 bytes
};

NameSet make_names(std::uint32_t seed) {
    std::mt19937 random(seed);
    const auto pick = [&](int low, int high) {
        return std::uniform_int_distribution<int>(low, high)(random);
    };
    NameSet set;
    std::set<std::string> seen;
    const auto add = [&](Strings& to, const std::string& name) {
        if (seen.insert(name).second) to.push_back(name);
    };
    // Packs pieces (characters) into names of random lengths up to 63 bytes.
    const auto pack = [&](Strings pieces, Strings& to) {
        std::shuffle(pieces.begin(), pieces.end(), random);
        std::string name;
        std::size_t target = static_cast<std::size_t>(pick(12, 63));
        for (const auto& piece : pieces) {
            if (name.size() + piece.size() > target) {
                add(to, name);
                name.clear();
                target = static_cast<std::size_t>(pick(12, 63));
            }
            name += piece;
        }
        if (!name.empty()) add(to, name);
    };

    // Injection attempts, quoting characters, keywords, pattern and regex characters.
    for (const char* name :
         {"x\"; DROP DATABASE postgres; --", "'; DROP ROLE postgres; --",
          "x\" WITH SUPERUSER; --", "\"", "\"\"", "'", "\\", "\\'\"\\", "$1", "$x$", "%s%n",
          ";", "--", "-x", "--help", "/*", "SELECT", "select", "user", "current_user", "NULL",
          "public", "none", "pg_hostile", "a.b", ".", " ", "  two  spaces  ", "tab\there",
          "new\nline", "cr\rret", "\x01\x1b[31m\x7f", "MixedCase", "*", "a*b?c",
          "[a-z]+(x|y)^$", "\\."}) {
        add(set.valid, name);
    }
    // Unicode, and the edges of the length limit (63 bytes, in 1- to 4-byte characters).
    std::string longest_3 = "", longest_2 = "", longest_4 = "";
    for (int i = 0; i < 21; ++i) longest_3 += "\xe6\x97\xa5";             // 日 x 21
    for (int i = 0; i < 31; ++i) longest_2 += "\xc3\xa9";                 // é x 31
    for (int i = 0; i < 15; ++i) longest_4 += "\xf0\x9f\x98\x80";         // 😀 x 15
    for (const std::string& name :
         {std::string("gr\xc3\xb6\xc3\x9f" "e"), std::string("\xef\xbb\xbf" "bom"),
          std::string("e\xcc\x81\xe2\x80\x8b\xd7\xa9\xd7\x9c"),  // combining accent, ZWSP, Hebrew
          std::string("\xef\xbf\xbf\xf4\x8f\xbf\xbf"),          // U+FFFF, U+10FFFF
          std::string("x"), std::string(63, 'L'), longest_3, longest_2 + "x", longest_4 + "abc"}) {
        add(set.valid, name);
    }
    // Every ASCII byte but NUL, shuffled into names.
    Strings ascii;
    for (int c = 1; c < 128; ++c) ascii.emplace_back(1, static_cast<char>(c));
    pack(ascii, set.valid);
    // Every byte a UTF-8 character can hold: every continuation byte (U+0080..U+00BF) and every
    // lead byte (0xC2..0xF4), with random code points behind them.
    Strings multibyte;
    for (char32_t cp = 0x80; cp <= 0xBF; ++cp) multibyte.push_back(utf8(cp));
    for (int lead = 0xC2; lead <= 0xF4; ++lead) {
        char32_t low = 0, high = 0;
        if (lead <= 0xDF) {
            low = static_cast<char32_t>(lead - 0xC0) << 6;
            high = low + 0x3F;
        } else if (lead <= 0xEF) {
            low = static_cast<char32_t>(lead - 0xE0) << 12;
            high = low + 0xFFF;
            if (lead == 0xE0) low = 0x800;
            if (lead == 0xED) high = 0xD7FF;  // no surrogates
        } else {
            low = static_cast<char32_t>(lead - 0xF0) << 18;
            high = low + 0x3FFFF;
            if (lead == 0xF0) low = 0x10000;
            if (lead == 0xF4) high = 0x10FFFF;
        }
        multibyte.push_back(utf8(static_cast<char32_t>(pick(static_cast<int>(low), static_cast<int>(high)))));
    }
    pack(multibyte, set.valid);

    // Not UTF-8: lone continuation bytes, overlong forms, surrogates, past U+10FFFF, cut
    // characters, Latin-1, and the bytes that never occur in UTF-8 (0xC0, 0xC1, 0xF5..0xFF).
    for (const char* name :
         {"\x80lone", "a\xbf", "\xc0\xaf", "x\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
          "\xf4\x90\x80\x80", "\xe6\x97", "caf\xe9", "\xf5\xf6\xf7\xf8", "\xf9\xfa\xfb\xfc",
          "x\"; \xfd\xfe\xff"}) {
        add(set.invalid, name);
    }

    // Over 63 bytes: one byte over in ASCII and in two-byte letters, and random bytes.
    add(set.too_long, std::string(64, 'x'));
    add(set.too_long, longest_2 + "\xc3\xa9");
    add(set.too_long, "x\"; DROP DATABASE postgres; --" + std::string(40, '-'));
    for (int i = 0; i < 3; ++i) {
        std::string name;
        const int length = pick(64, 120);
        for (int k = 0; k < length; ++k) name += static_cast<char>(pick(1, 255));
        add(set.too_long, name);
    }
    return set;
}

const NameSet& names() {
    static const NameSet set = make_names(names_seed());
    return set;
}

/// An identifier as the tools quote it (libpq), and a literal as the server logs a parameter.
std::string sql_literal(const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

/// A CSV field, quoted.
std::string csv_field(const std::string& value) {
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

/// A psql-style pattern that matches exactly `name` (double-quoted: no wildcards, no folding).
std::string exact_pattern(const std::string& name) { return csv_field(name); }

bool reserved_role_name(const std::string& name) {
    return name == "public" || name == "none" || name.rfind("pg_", 0) == 0;
}

#define NAME_CONTEXT(name) \
    BOOST_TEST_CONTEXT("name " << shown(name) << " (PGKIT_HOSTILE_SEED=" << names_seed() << ")")

// ---------------------------------------------------------------- the tools' role, the log

/// The tools run as a role of their own, so that the statement log tells their sessions from
/// everyone else's; pg-createdb and pg-createuser connect to a maintenance database of its own.
struct Runner {
    std::string role = unique_name("hostile_runner");
    std::string maintenance_db = unique_name("hostile_maint");
    Runner() {
        admin().exec("SET client_min_messages = warning");  // no "does not exist, skipping"
        admin().exec("CREATE ROLE " + role + " SUPERUSER LOGIN");
        admin().exec("CREATE DATABASE " + maintenance_db);
    }
    ~Runner() {
        try {
            admin().exec("DROP DATABASE IF EXISTS " + maintenance_db + " WITH (FORCE)");
            admin().exec("DROP ROLE IF EXISTS " + role);
        } catch (...) {
        }
    }
};

const Runner& runner() {
    static const Runner instance;
    return instance;
}

Env as_runner() { return {{"PGUSER", runner().role}}; }

/// One record of the server log: "LOG: statement: ...", "DETAIL: parameters: ...", "ERROR: ...".
struct Record {
    std::string database, level, text;
};

std::size_t log_size() {
    std::error_code error;
    const auto size = fs::file_size(shared_cluster().log_path(), error);
    return error ? 0 : static_cast<std::size_t>(size);
}

/// The records the runner's sessions logged from `from` (a byte offset) on. The cluster's
/// log_line_prefix is '%m [%p] %q%u@%d '; the server puts a tab after every newline of a
/// message, so a line starting with a tab continues the record before it.
std::vector<Record> runner_records(std::size_t from) {
    std::ifstream in(shared_cluster().log_path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(from));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string marker = "] " + runner().role + "@";
    std::vector<Record> records;
    bool ours = false;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        start = end + 1;
        if (!line.empty() && line[0] == '\t') {
            if (ours) records.back().text += "\n" + std::string(line.substr(1));
            continue;
        }
        const std::size_t at = line.find(marker);
        ours = at != std::string_view::npos;
        if (!ours) continue;
        const std::size_t db_at = at + marker.size();
        const std::size_t space = line.find(' ', db_at);
        const std::size_t colon = line.find(":  ", space);
        if (space == std::string_view::npos || colon == std::string_view::npos) {
            ours = false;
            continue;
        }
        records.push_back({std::string(line.substr(db_at, space - db_at)),
                           std::string(line.substr(space + 1, colon - space - 1)),
                           std::string(line.substr(colon + 3))});
    }
    return records;
}

Strings transcript(const std::vector<Record>& records) {
    Strings out;
    for (const auto& record : records) out.push_back(record.level + ": " + record.text);
    return out;
}

/// A tool run as the runner, with what its sessions logged.
struct Logged {
    Outcome outcome;
    Strings log;
};

Logged run_logged(const std::string& tool, const Strings& args) {
    const std::size_t from = log_size();
    Outcome outcome = run_tool(tool, args, as_runner());
    return {std::move(outcome), transcript(runner_records(from))};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

/// A baseline transcript (a run with a plain name) with hostile names in place of plain ones,
/// where they were quoted as identifiers or logged as parameters.
Strings substituted(Strings log, const std::vector<std::pair<std::string, std::string>>& names) {
    for (auto& line : log) {
        for (const auto& [plain, hostile] : names) {
            line = replace_all(line, quote_ident(plain), quote_ident(hostile));
            line = replace_all(line, sql_literal(plain), sql_literal(hostile));
        }
    }
    return log;
}

bool has_line_starting(const Strings& log, const std::string& prefix) {
    return std::any_of(log.begin(), log.end(),
                       [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
}

Json json_of(const Outcome& outcome) { return Json::parse(outcome.out, nullptr, false); }

/// A database of its own and a directory of its own for one test.
struct Scratch {
    std::string dbname = unique_name("hostile");
    fs::path dir = fs::temp_directory_path() / unique_name("pgkit-hostile");
    std::unique_ptr<Database> db;

    Scratch() {
        runner();  // made first: dropped after the scratch databases at exit
        admin().exec("CREATE DATABASE " + dbname);
        fs::create_directories(dir);
        db = std::make_unique<Database>(shared_cluster().conninfo(dbname));
        db->exec("SET client_min_messages = warning");
    }
    ~Scratch() {
        db.reset();
        fs::remove_all(dir);
        try {
            admin().exec("DROP DATABASE IF EXISTS " + dbname + " WITH (FORCE)");
        } catch (...) {
        }
    }
    std::string write(const std::string& name, const std::string& content) const {
        const fs::path path = dir / name;
        std::ofstream(path, std::ios::binary) << content;
        return path.string();
    }
    /// Relations in the public schema: tables made by a seed, its history table.
    std::string public_relations() const {
        return db->value("SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                         "ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
            .value_or("?");
    }
};

bool database_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}
bool role_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {name}) == "1";
}

/// `name` cut to at most 63 bytes at a character boundary, as the server would truncate it.
std::string truncated(const std::string& name) {
    std::size_t cut = std::min<std::size_t>(name.size(), 63);
    while (cut > 0 && cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return name.substr(0, cut);
}

std::string compressed(const std::string& data, const std::string& program) {
    Command command;
    command.argv = {"/bin/sh", "-c", program + " -c"};
    command.stdin_data = data;
    const Outcome result = run(command);
    BOOST_TEST_REQUIRE(result.exit_code == 0, program << ": " << result.err);
    return result.out;
}

}  // namespace

// ===================================================================================== names

BOOST_AUTO_TEST_SUITE(names_round_trip)

BOOST_AUTO_TEST_CASE(the_generated_names_cover_every_byte_and_both_length_limits) {
    BOOST_TEST_CONTEXT("PGKIT_HOSTILE_SEED=" << names_seed()) {
        const NameSet& set = names();
        std::set<int> bytes;
        for (const Strings* group : {&set.valid, &set.invalid}) {
            for (const auto& name : *group) {
                for (const unsigned char c : name) bytes.insert(c);
            }
        }
        BOOST_TEST(bytes.size() == 255u);
        BOOST_TEST(bytes.count(0) == 0u);
        BOOST_TEST(set.valid.size() >= 40u);
        BOOST_TEST(set.valid.size() <= 60u);  // the suite stays fast
        std::size_t shortest = 64, longest = 0;
        for (const auto& name : set.valid) {
            BOOST_TEST(valid_utf8(name), shown(name));
            shortest = std::min(shortest, name.size());
            longest = std::max(longest, name.size());
        }
        BOOST_TEST(shortest == 1u);
        BOOST_TEST(longest == 63u);
        for (const auto& name : set.invalid) {
            BOOST_TEST(!valid_utf8(name), shown(name));
            BOOST_TEST(name.size() <= 63u);
        }
        for (const auto& name : set.too_long) BOOST_TEST(name.size() > 63u);
        // The checker itself: a few known answers.
        BOOST_TEST(valid_utf8("\xf4\x8f\xbf\xbf"));
        BOOST_TEST(!valid_utf8("\xf4\x90\x80\x80"));
        BOOST_TEST(!valid_utf8("\xed\xa0\x80"));
        BOOST_TEST(valid_utf8("\xed\x9f\xbf"));
    }
}

BOOST_AUTO_TEST_CASE(pg_createdb_creates_exactly_the_database_named) {
    const std::string& maintenance = runner().maintenance_db;
    const std::string base = unique_name("hostile_base_db");
    const Logged baseline = run_logged("pg-createdb", {"--maintenance-db", maintenance, "--format", "json", "--", base});
    BOOST_TEST_REQUIRE(baseline.outcome.exit_code == 0, baseline.outcome.err);
    BOOST_TEST_REQUIRE(has_line_starting(baseline.log, "LOG: statement: CREATE DATABASE " + quote_ident(base)));
    admin().exec("DROP DATABASE " + quote_ident(base));

    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            admin().exec("DROP DATABASE IF EXISTS " + quote_ident(name));  // left by a killed run
            const Logged run = run_logged("pg-createdb", {"--maintenance-db", maintenance, "--format", "json", "--", name});
            BOOST_TEST(run.outcome.exit_code == 0, run.outcome.err);
            const Json report = json_of(run.outcome);
            BOOST_TEST(!report.is_discarded(), run.outcome.out);
            if (!report.is_discarded()) {
                BOOST_TEST(report.value("database", "") == name);
                BOOST_TEST(report.value("action", "") == "created");
                BOOST_TEST(report.value("statements", Json::array()) == Json::array({"CREATE DATABASE " + quote_ident(name)}));
            }
            BOOST_TEST(database_exists(name));
            // Every statement the tool's session ran is the baseline's, with the name in it.
            BOOST_TEST(shown(run.log) == shown(substituted(baseline.log, {{base, name}})),
                       tt::per_element());
            admin().exec("DROP DATABASE IF EXISTS " + quote_ident(name));
        }
    }
}

BOOST_AUTO_TEST_CASE(pg_createuser_creates_exactly_the_role_named_and_its_membership) {
    const std::string& maintenance = runner().maintenance_db;
    const std::string base = unique_name("hostile_base_role");
    const std::string base_member = unique_name("hostile_base_member");
    const Logged baseline = run_logged("pg-createuser", {"--maintenance-db", maintenance, "--format", "json", "--", base});
    BOOST_TEST_REQUIRE(baseline.outcome.exit_code == 0, baseline.outcome.err);
    const Logged baseline_member = run_logged(
        "pg-createuser", {"--maintenance-db", maintenance, "--member-of=" + base, "--", base_member});
    BOOST_TEST_REQUIRE(baseline_member.outcome.exit_code == 0, baseline_member.outcome.err);
    BOOST_TEST_REQUIRE(has_line_starting(baseline_member.log, "LOG: statement: CREATE ROLE " + quote_ident(base_member)));
    const std::string create = json_of(baseline.outcome)["statements"][0].get<std::string>();
    admin().exec("DROP ROLE " + quote_ident(base_member));
    admin().exec("DROP ROLE " + quote_ident(base));

    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            if (reserved_role_name(name)) {
                // "public", "none" and "pg_*" are the server's: refused with its message.
                const Logged run = run_logged("pg-createuser", {"--maintenance-db", maintenance, "--", name});
                BOOST_TEST(run.outcome.exit_code == 1);
                BOOST_TEST(contains(run.outcome.err, "is reserved"), run.outcome.err);
                BOOST_TEST(!role_exists(name));
                continue;
            }
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(name));
            const Logged run = run_logged("pg-createuser", {"--maintenance-db", maintenance, "--format", "json", "--", name});
            BOOST_TEST(run.outcome.exit_code == 0, run.outcome.err);
            const Json report = json_of(run.outcome);
            BOOST_TEST(!report.is_discarded(), run.outcome.out);
            if (!report.is_discarded()) {
                BOOST_TEST(report.value("role", "") == name);
                BOOST_TEST(report.value("statements", Json::array()) ==
                           Json::array({replace_all(create, quote_ident(base), quote_ident(name))}));
            }
            BOOST_TEST(role_exists(name));
            BOOST_TEST(shown(run.log) == shown(substituted(baseline.log, {{base, name}})), tt::per_element());

            // The name as a membership (-g): CREATE ROLE member ... IN ROLE "name".
            const std::string member = unique_name("hostile_member");
            const Logged joined = run_logged(
                "pg-createuser", {"--maintenance-db", maintenance, "--member-of=" + name, "--", member});
            BOOST_TEST(joined.outcome.exit_code == 0, joined.outcome.err);
            BOOST_TEST(admin().value("SELECT count(*) FROM pg_auth_members m "
                                     "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                                     "WHERE g.rolname = $1 AND u.rolname = $2",
                                     {name, member}) == "1");
            BOOST_TEST(shown(joined.log) ==
                           shown(substituted(baseline_member.log, {{base, name}, {base_member, member}})),
                       tt::per_element());
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(member));
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(name));
        }
    }
}

std::optional<std::string> database_owner(const std::string& database) {
    return admin().value("SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                         "WHERE d.datname = $1",
                         {database});
}

BOOST_AUTO_TEST_CASE(pg_dropdb_and_pg_dropuser_drop_exactly_the_object_named) {
    const std::string& maintenance = runner().maintenance_db;
    const std::string decoy = unique_name("hostile_decoy");
    admin().exec("CREATE DATABASE " + quote_ident(decoy));
    admin().exec("CREATE ROLE " + quote_ident(decoy));
    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            admin().exec("DROP DATABASE IF EXISTS " + quote_ident(name));  // left by a killed run
            admin().exec("CREATE DATABASE " + quote_ident(name));
            const Logged db = run_logged("pg-dropdb", {"--maintenance-db", maintenance, "--format", "json", "--", name});
            BOOST_TEST(db.outcome.exit_code == 0, db.outcome.err);
            BOOST_TEST(json_of(db.outcome).value("statements", Json::array()) ==
                       Json::array({"DROP DATABASE " + quote_ident(name)}));
            BOOST_TEST(!database_exists(name));
            if (reserved_role_name(name)) continue;  // "public", "none", "pg_*": not ours to make
            // A role that owns a database and is to inherit another's objects: both by name.
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(name));
            admin().exec("CREATE ROLE " + quote_ident(name));
            admin().exec("ALTER DATABASE " + quote_ident(decoy) + " OWNER TO " + quote_ident(name));
            const std::string heir = unique_name("hostile_heir");
            admin().exec("CREATE ROLE " + quote_ident(heir));
            const Logged moved = run_logged("pg-dropuser", {"--maintenance-db", maintenance, "--reassign-owned-to=" + heir,
                                                            "--drop-owned", "--", name});
            BOOST_TEST(moved.outcome.exit_code == 0, moved.outcome.err);
            BOOST_TEST(!role_exists(name));
            BOOST_TEST(role_exists(decoy));
            BOOST_TEST(database_owner(decoy) == heir);
            BOOST_TEST(has_line_starting(moved.log, "LOG: statement: DROP ROLE " + quote_ident(name)),
                       shown_all(moved.log));
            // The name as the heir.
            admin().exec("CREATE ROLE " + quote_ident(name));
            const Logged inherited = run_logged("pg-dropuser", {"--maintenance-db", maintenance,
                                                                "--reassign-owned-to=" + name, "--", heir});
            BOOST_TEST(inherited.outcome.exit_code == 0, inherited.outcome.err);
            BOOST_TEST(database_owner(decoy) == name);
            BOOST_TEST(!role_exists(heir));
            admin().exec("ALTER DATABASE " + quote_ident(decoy) + " OWNER TO postgres");
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(heir));
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(name));
        }
    }
    admin().exec("DROP DATABASE " + quote_ident(decoy));
    admin().exec("DROP ROLE " + quote_ident(decoy));
}

BOOST_AUTO_TEST_CASE(pg_createschema_and_pg_createextension_use_exactly_the_schema_named) {
    Scratch s;
    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            if (name.rfind("pg_", 0) == 0) {
                // The server keeps "pg_" for its own schemas: its refusal, exit 1.
                const Logged refused = run_logged("pg-createschema", {"-d", s.dbname, "--", name});
                BOOST_TEST(refused.outcome.exit_code == 1);
                BOOST_TEST(contains(refused.outcome.err, "unacceptable schema name"), refused.outcome.err);
                continue;
            }
            if (name == "public") continue;  // there already
            const Logged made = run_logged("pg-createschema", {"-d", s.dbname, "--format", "json", "--", name});
            BOOST_TEST(made.outcome.exit_code == 0, made.outcome.err);
            BOOST_TEST(json_of(made.outcome).value("statements", Json::array()) ==
                       Json::array({"CREATE SCHEMA " + quote_ident(name)}));
            BOOST_TEST(s.db->value("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {name}) == "1");
            // Converged: the comment set on exactly that schema.
            const Logged commented = run_logged("pg-createschema", {"-d", s.dbname, "--if-not-exists",
                                                                    "--comment", name, "--", name});
            BOOST_TEST(commented.outcome.exit_code == 0, commented.outcome.err);
            BOOST_TEST(s.db->value("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                                   "WHERE nspname = $1",
                                   {name}) == name);
            // An extension placed in it.
            const Logged placed = run_logged("pg-createextension", {"-d", s.dbname, "--schema=" + name, "tablefunc"});
            BOOST_TEST(placed.outcome.exit_code == 0, placed.outcome.err);
            BOOST_TEST(s.db->value("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON "
                                   "n.oid = e.extnamespace WHERE e.extname = 'tablefunc'") == name);
            s.db->exec("DROP EXTENSION IF EXISTS tablefunc");
            s.db->exec("DROP SCHEMA IF EXISTS " + quote_ident(name));
        }
    }
}

BOOST_AUTO_TEST_CASE(pg_grant_grants_on_exactly_the_objects_and_to_the_roles_named) {
    Scratch s;
    const std::string stand_in = unique_name("hostile_grantee");
    admin().exec("CREATE ROLE " + stand_in);
    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            // The role, the schema and the table are all called `name` where the server lets
            // them be ("pg_*" schemas and roles are its own).
            const std::string role = reserved_role_name(name) ? stand_in : name;
            const std::string schema = name.rfind("pg_", 0) == 0 ? "public" : name;
            if (role == name) {
                admin().exec("DROP ROLE IF EXISTS " + quote_ident(role));
                admin().exec("CREATE ROLE " + quote_ident(role));
            }
            s.db->exec("CREATE SCHEMA IF NOT EXISTS " + quote_ident(schema));
            const std::string table = quote_ident(schema) + "." + quote_ident(name);
            s.db->exec("CREATE TABLE " + table + " (id int)");
            const Logged usage = run_logged("pg-grant", {"-d", s.dbname, "--format", "json",
                                                         "--schema=" + exact_pattern(schema), "--", "USAGE", role});
            BOOST_TEST(usage.outcome.exit_code == 0, usage.outcome.err);
            const Logged select = run_logged("pg-grant", {"-d", s.dbname, "--format", "json",
                                                          "--table=" + exact_pattern(schema) + "." + exact_pattern(name),
                                                          "--", "SELECT", role});
            BOOST_TEST(select.outcome.exit_code == 0, select.outcome.err);
            BOOST_TEST(json_of(select.outcome).value("statements", Json::array()) ==
                       Json::array({"GRANT SELECT ON TABLE " + table + " TO " + quote_ident(role)}));
            BOOST_TEST(s.db->value("SELECT has_table_privilege($1, $2, 'SELECT')", {role, table}) == "t");
            BOOST_TEST(s.db->value("SELECT has_schema_privilege($1, $2, 'USAGE')", {role, schema}) == "t");
            // The pattern matched that table only.
            BOOST_TEST(s.db->value("SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a "
                                   "WHERE a.grantee = $1::regrole",
                                   {quote_ident(role)}) == "1");
            s.db->exec("DROP TABLE " + table);
            if (schema != "public") s.db->exec("DROP SCHEMA " + quote_ident(schema));
            if (role == name) {
                s.db->exec("DROP OWNED BY " + quote_ident(role));
                admin().exec("DROP ROLE " + quote_ident(role));
            } else {
                s.db->exec("REVOKE ALL ON SCHEMA public FROM " + quote_ident(role));
            }
        }
    }
    s.db->exec("DROP OWNED BY " + stand_in);
    admin().exec("DROP ROLE " + stand_in);
}

BOOST_AUTO_TEST_CASE(pg_listtables_lists_every_name_exactly) {
    Scratch s;
    std::set<std::pair<std::string, std::string>> expected;
    for (const auto& name : names().valid) {
        s.db->exec("CREATE TABLE public." + quote_ident(name) + " ()");
        expected.insert({"public", name});
    }
    // Some of the names as schemas too, each with a table of the same name.
    for (std::size_t i = 0; i < names().valid.size(); i += 7) {
        const std::string& name = names().valid[i];
        if (name.rfind("pg_", 0) == 0 || name == "public") continue;  // reserved, or there
        s.db->exec("CREATE SCHEMA " + quote_ident(name) + "; CREATE TABLE " + quote_ident(name) + "." +
                   quote_ident(name) + " ()");
        expected.insert({name, name});
    }

    const Logged all = run_logged("pg-listtables", {"-d", s.dbname, "--format", "json"});
    BOOST_TEST_REQUIRE(all.outcome.exit_code == 0, all.outcome.err);
    const Json listing = json_of(all.outcome);
    BOOST_TEST_REQUIRE(listing.is_array(), all.outcome.out);
    std::set<std::pair<std::string, std::string>> listed;
    for (const auto& row : listing) listed.insert({row.value("schema", ""), row.value("name", "")});
    BOOST_TEST(listed.size() == listing.size());  // no row twice
    std::vector<std::pair<std::string, std::string>> missing, extra;
    std::set_difference(expected.begin(), expected.end(), listed.begin(), listed.end(), std::back_inserter(missing));
    std::set_difference(listed.begin(), listed.end(), expected.begin(), expected.end(), std::back_inserter(extra));
    for (const auto& [schema, name] : missing) BOOST_ERROR("not listed: " << shown(schema) << "." << shown(name));
    for (const auto& [schema, name] : extra) BOOST_ERROR("listed, not made: " << shown(schema) << "." << shown(name));
    // One catalog query, as a plain statement.
    BOOST_TEST(std::count_if(all.log.begin(), all.log.end(), [](const std::string& line) {
                   return line.rfind("LOG: statement: SELECT n.nspname", 0) == 0 ||
                          line.rfind("LOG: execute", 0) == 0;
               }) == 1);

    // Each name as an exact pattern: that table and nothing else, the pattern a parameter.
    const std::string base = unique_name("hostile_base_table");
    s.db->exec("CREATE TABLE public." + quote_ident(base) + " ()");
    const Logged baseline = run_logged("pg-listtables", {"-d", s.dbname, "--format", "json", "public." + exact_pattern(base)});
    BOOST_TEST_REQUIRE(baseline.outcome.exit_code == 0, baseline.outcome.err);
    Strings statements;  // the baseline's statements: the hostile runs' must be the same text
    for (const auto& line : baseline.log) {
        if (line.rfind("DETAIL: ", 0) != 0) statements.push_back(line);
    }
    // "parameters" became "Parameters" in the log of newer servers.
    const std::string parameters = has_line_starting(baseline.log, "DETAIL: Parameters: ")
                                       ? "DETAIL: Parameters: "
                                       : "DETAIL: parameters: ";
    BOOST_TEST_REQUIRE(has_line_starting(baseline.log, parameters));
    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            const Logged run = run_logged("pg-listtables", {"-d", s.dbname, "--format", "json", "public." + exact_pattern(name)});
            BOOST_TEST(run.outcome.exit_code == 0, run.outcome.err);
            const Json rows = json_of(run.outcome);
            BOOST_TEST((rows.is_array() && rows.size() == 1), run.outcome.out);
            if (rows.is_array() && rows.size() == 1) {
                BOOST_TEST(rows[0].value("schema", "") == "public");
                BOOST_TEST(rows[0].value("name", "") == name);
            }
            Strings run_statements;
            for (const auto& line : run.log) {
                if (line.rfind("DETAIL: ", 0) != 0) run_statements.push_back(line);
            }
            BOOST_TEST(shown(run_statements) == shown(statements), tt::per_element());
            BOOST_TEST(has_line_starting(run.log, parameters + "$1 = '^(public)$', $2 = '"));
        }
    }
}

BOOST_AUTO_TEST_CASE(pg_seed_loads_into_the_table_named) {
    Scratch s;
    const auto csv = [&](const std::string& value) {
        return s.write("values.csv", "v\n" + csv_field(value) + "\nsecond\n");
    };
    const std::string base = unique_name("hostile_base_table");
    s.db->exec("CREATE TABLE public." + quote_ident(base) + " (v text)");
    const Logged baseline = run_logged("pg-seed", {"-d", s.dbname, "--table=public." + base, csv(base)});
    BOOST_TEST_REQUIRE(baseline.outcome.exit_code == 0, baseline.outcome.err);
    BOOST_TEST_REQUIRE(has_line_starting(baseline.log, "LOG: statement: COPY \"public\"." + quote_ident(base)));

    for (const auto& name : names().valid) {
        NAME_CONTEXT(name) {
            s.db->exec("CREATE TABLE public." + quote_ident(name) + " (v text)");
            // The name is the data too: one quoted CSV field holding it.
            const Logged run = run_logged("pg-seed", {"-d", s.dbname, "--table=public." + name, csv(name)});
            BOOST_TEST(run.outcome.exit_code == 0, run.outcome.err);
            BOOST_TEST(contains(run.outcome.out, "2 rows"), run.outcome.out);
            Strings values;
            for (const auto& row : s.db->rows("SELECT v FROM public." + quote_ident(name))) {
                values.push_back(row.at(0).value_or("(null)"));
            }
            std::sort(values.begin(), values.end());
            Strings want{name, "second"};
            std::sort(want.begin(), want.end());
            BOOST_TEST(shown(values) == shown(want), tt::per_element());
            BOOST_TEST(shown(run.log) == shown(substituted(baseline.log, {{base, name}})), tt::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(names_that_are_not_utf8_are_refused_and_nothing_runs) {
    // The server's encoding is UTF8. pg-createdb and pg-createuser quote the name before
    // anything is sent, and libpq refuses to: exit 2, nothing sent, nothing created.
    // pg-listtables sends a pattern as a parameter: the server refuses it, exit 1 with its
    // message. pg-seed quotes --table first: exit 2, before any COPY.
    const std::string& maintenance = runner().maintenance_db;
    Scratch s;
    const std::string file = s.write("values.csv", "v\n1\n");
    for (const auto& name : names().invalid) {
        NAME_CONTEXT(name) {
            for (const std::string tool : {"pg-createdb", "pg-createuser"}) {
                for (const bool if_not_exists : {false, true}) {
                    std::vector<std::string> args{"--maintenance-db", maintenance, "--", name};
                    if (if_not_exists) args.insert(args.begin(), "--if-not-exists");
                    const Logged run = run_logged(tool, args);
                    BOOST_TEST(run.outcome.exit_code == 2, tool);
                    BOOST_TEST(contains(run.outcome.err, tool + ": error: could not quote identifier: "),
                               run.outcome.err);
                    BOOST_TEST(!has_line_starting(run.log, "LOG: statement: CREATE"), tool);
                    BOOST_TEST(!has_line_starting(run.log, "ERROR: "), tool);
                }
            }
            const Logged listed = run_logged("pg-listtables", {"-d", s.dbname, name});
            BOOST_TEST(listed.outcome.exit_code == 1);
            BOOST_TEST(contains(listed.outcome.err, "invalid byte sequence for encoding \"UTF8\""), listed.outcome.err);

            const Logged seeded = run_logged("pg-seed", {"-d", s.dbname, "--table=public." + name, file});
            BOOST_TEST(seeded.outcome.exit_code == 2);
            BOOST_TEST(contains(seeded.outcome.err, "pg-seed: error: could not quote identifier: "),
                       seeded.outcome.err);
            BOOST_TEST(!has_line_starting(seeded.log, "LOG: statement: COPY"));
            BOOST_TEST(s.public_relations() == "0");
        }
    }
}

BOOST_AUTO_TEST_CASE(names_over_63_bytes_are_exit_2_before_connecting) {
    Scratch s;
    const std::string file = s.write("values.csv", "v\n1\n");
    const Env nowhere{{"PGHOST", tcp_host()}, {"PGPORT", unused_port()}};  // connecting: exit 3
    for (const auto& name : names().too_long) {
        NAME_CONTEXT(name) {
            const std::vector<std::pair<std::string, Strings>> runs = {
                {"pg-createdb", {"--", name}},
                {"pg-createdb", {"--owner=" + name, "hostile_never"}},
                {"pg-createdb", {"--template=" + name, "hostile_never"}},
                {"pg-createdb", {"--tablespace=" + name, "hostile_never"}},
                {"pg-createuser", {"--", name}},
                {"pg-createuser", {"--member-of=" + name, "hostile_never"}},
                {"pg-createuser", {"--with-admin=" + name, "hostile_never"}},
                {"pg-createuser", {"--with-member=" + name, "hostile_never"}},
                {"pg-createschema", {"--", name}},
                {"pg-createschema", {"--owner=" + name, "hostile_never"}},
                {"pg-createextension", {"--", name}},
                {"pg-createextension", {"--schema=" + name, "hostile_never"}},
                {"pg-dropdb", {"--", name}},
                {"pg-dropuser", {"--", name}},
                {"pg-dropuser", {"--reassign-owned-to=" + name, "hostile_never"}},
                {"pg-seed", {"--table=public." + name, file}},
                {"pg-seed", {"--table=" + name + ".t", file}},
                {"pg-seed", {"--once", "--history-table=" + name, file}},
            };
            for (const auto& [tool, args] : runs) {
                BOOST_TEST_CONTEXT(tool << " " << shown_all(args)) {
                    const Outcome outcome = run_tool(tool, args, nowhere);
                    BOOST_TEST(outcome.exit_code == 2);
                    BOOST_TEST(contains(outcome.err, "is too long"), outcome.err);
                    BOOST_TEST(contains(outcome.err, "the limit is 63"), outcome.err);
                }
            }
            // Against the real server too: refused, and nothing made under the cut name.
            const Logged db = run_logged("pg-createdb", {"--maintenance-db", runner().maintenance_db, "--", name});
            BOOST_TEST(db.outcome.exit_code == 2);
            BOOST_TEST(db.log.empty(), "statements were sent: " << shown_all(db.log));
            const Logged role = run_logged("pg-createuser", {"--maintenance-db", runner().maintenance_db, "--", name});
            BOOST_TEST(role.outcome.exit_code == 2);
            BOOST_TEST(role.log.empty(), "statements were sent: " << shown_all(role.log));
            const Logged seeded = run_logged("pg-seed", {"-d", s.dbname, "--table=public." + name, file});
            BOOST_TEST(seeded.outcome.exit_code == 2);
            BOOST_TEST(seeded.log.empty(), "statements were sent: " << shown_all(seeded.log));
            if (valid_utf8(truncated(name))) {
                BOOST_TEST(!database_exists(truncated(name)));
                BOOST_TEST(!role_exists(truncated(name)));
            }
            BOOST_TEST(s.public_relations() == "0");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ===================================================================================== files

BOOST_AUTO_TEST_SUITE(broken_files)

namespace {

/// The good files every broken one comes after, in the same directory: 010_good.sql makes the
/// tables (the CSV cases load into them) and rows, 015_good.csv adds rows.
const char* const good_sql =
    "CREATE TABLE good (id int);\n"
    "INSERT INTO good VALUES (1), (2);\n"
    "CREATE TABLE wide (a int, b int);\n"
    "CREATE TABLE bad_utf8 (v text);\n"
    "CREATE TABLE nums (id int);\n"
    "CREATE TABLE quoted (v text);\n";
const char* const good_csv = "id\n3\n4\n";

struct Broken {
    std::string file;  ///< its name, after 010_good.sql and 015_good.csv
    std::string content;
    long line;             ///< the line the message names; 0: some line; -1: maybe none
    std::string message;   ///< a part of the message
};

std::string random_bytes(std::size_t size, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> byte(1, 255);  // NUL has a test of its own
    std::string out;
    for (std::size_t i = 0; i < size; ++i) out += static_cast<char>(byte(random));
    return out;
}

std::vector<Broken> broken_files() {
    std::vector<Broken> files;
    files.push_back({"020_garbage.sql", random_bytes(64 * 1024, names_seed()), 0, ""});
    // 1 MB on one line: one INSERT with a syntax error at its very end.
    std::string insert = "-- one statement of 1 MB on line 3\nSELECT 1;\nINSERT INTO good VALUES (0)";
    for (int i = 1; insert.size() < 1024 * 1024; ++i) insert += ", (" + std::to_string(i) + ")";
    files.push_back({"020_huge_insert.sql", insert + " oops;\n", 3, "syntax error at or near \"oops\""});
    std::string words;
    while (words.size() < 1024 * 1024) words += "garbage ";
    files.push_back({"020_huge_line.sql", words, 1, "syntax error at or near \"garbage\""});
    files.push_back({"020_bad_utf8.sql", "SELECT 1;\nSELECT 'caf\xe9';\n", 0,
                     "invalid byte sequence for encoding \"UTF8\": 0xe9"});
    files.push_back({"020_bad_utf8.csv", "v\nfine\ncaf\xe9\n", 3,
                     "invalid byte sequence for encoding \"UTF8\": 0xe9"});
    files.push_back({"020_copy_no_end.sql",
                     "CREATE TABLE copied (id int);\nCOPY copied (id) FROM stdin;\n1\n2\n", 4,
                     "COPY data has no end marker"});
    files.push_back({"020_dollar.sql", "SELECT 1;\nSELECT $body$ never\nclosed;\nSELECT 2;\n", 2,
                     "unterminated dollar-quoted string"});
    files.push_back({"020_string.sql", "SELECT 1;\nSELECT 'never\nclosed;\nSELECT 2;\n", 2,
                     "unterminated quoted string"});
    files.push_back({"020_ident.sql", "SELECT 1;\nSELECT \"never closed;\n", 2,
                     "unterminated quoted identifier"});
    // Some line: the right one (2) has a known-bug test of its own below.
    files.push_back({"020_comment.sql", "SELECT 1;\n/* outer /* inner */ still open;\nSELECT 2;\n", 0,
                     "unterminated comment"});
    files.push_back({"020_meta.sql", "SELECT 1;\n\\! touch hostile-meta-ran\n", 2,
                     "psql meta-command not supported"});
    files.push_back({"020_wide.csv", "a,b\n1,2\n3,4,5\n", 3, "extra data after last expected column"});
    files.push_back({"020_quoted.csv", "v\nok\n\"open\nnever closed\n", 0, "unterminated CSV quoted field"});
    // Damaged compressed files: cut short in the middle of the data (the COPY is under way
    // when the stream breaks), bytes overwritten, not compressed at all.
    std::string inserts;
    for (int i = 0; i < 20000; ++i) inserts += "INSERT INTO good VALUES (" + std::to_string(i) + ");\n";
    const std::string gz = compressed(inserts, "gzip");
    files.push_back({"020_cut.sql.gz", gz.substr(0, gz.size() / 2), -1, "could not read"});
    std::string corrupt = gz;
    for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 16; ++i) corrupt[i] = '\xAA';
    files.push_back({"020_corrupt.sql.gz", corrupt, -1, ""});
    std::string numbers = "id\n";
    for (int i = 0; i < 200000; ++i) numbers += std::to_string(i) + "\n";
    const std::string zst = compressed(numbers, "zstd -q");
    files.push_back({"020_nums.csv.zst", zst.substr(0, zst.size() / 2), -1, "could not read"});
    const std::string xz = compressed(inserts, "xz");
    files.push_back({"020_cut.sql.xz", xz.substr(0, 40), -1, "could not read"});
    files.push_back({"020_nums.csv.gz", "id\n1\n2\n", -1, "could not read"});
    return files;
}

/// Runs pg-seed over the directory (good files, then `broken`), as given, and checks: exit 6,
/// the broken file (and line) named, nothing committed.
void seed_and_expect_nothing(const Scratch& s, const Broken& broken, const Strings& options) {
    Strings args{"-d", s.dbname};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(s.dir.string());
    const Outcome result = run_tool("pg-seed", args);
    BOOST_TEST(result.exit_code == 6, result.err);
    const std::string path = (s.dir / broken.file).string();
    if (broken.line > 0) {
        BOOST_TEST(contains(result.err, "pg-seed: error: " + path + ":" + std::to_string(broken.line) + ": "),
                   result.err.substr(0, 400));
    } else if (broken.line == 0) {
        BOOST_TEST(std::regex_search(result.err, std::regex("pg-seed: error: " +
                                                            std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                                                            ":[0-9]+: ")),
                   result.err.substr(0, 400));
    } else {
        BOOST_TEST(contains(result.err, "pg-seed: error: " + path), result.err.substr(0, 400));
    }
    BOOST_TEST(contains(result.err, broken.message), result.err.substr(0, 400));
    BOOST_TEST(result.out.empty());
    // Nothing committed: no table of the good files, no history table.
    BOOST_TEST(s.public_relations() == "0");
    BOOST_TEST(s.db->value("SELECT to_regclass('public.pg_seed_history') IS NULL") == "t");
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_broken_file_is_exit_6_with_its_line_and_nothing_is_committed) {
    Scratch s;
    s.write("010_good.sql", good_sql);
    s.write("015_good.csv", good_csv);
    for (const auto& broken : broken_files()) {
        BOOST_TEST_CONTEXT(broken.file) {
            const std::string path = s.write(broken.file, broken.content);
            seed_and_expect_nothing(s, broken, {});         // one transaction, checked as it loads
            seed_and_expect_nothing(s, broken, {"--once"});  // read through first, for checksums
            s.db->exec("DROP TABLE IF EXISTS good, wide, bad_utf8, nums, quoted, copied, pg_seed_history");
            fs::remove(path);
        }
    }
    BOOST_TEST(!fs::exists(s.dir / "hostile-meta-ran"));
    BOOST_TEST(!fs::exists("hostile-meta-ran"));
    // The good files alone load: the failures above were the broken files'.
    const Outcome good = run_tool("pg-seed", {"-d", s.dbname, s.dir.string()});
    BOOST_TEST(good.exit_code == 0, good.err);
    BOOST_TEST(s.db->value("SELECT string_agg(id::text, ',' ORDER BY id) FROM good") == "1,2,3,4");
}

// Was a bug (fixed): an encoding error in a batch of
// statements names the batch's first line, not the line of the bad byte. The server rejects
// the whole message without a position; pg-seed's flush() (tools/pg-seed.cpp) then falls back
// to the first statement's line.
BOOST_AUTO_TEST_CASE(invalid_utf8_in_sql_names_its_line) {
    Scratch s;
    s.write("010_good.sql", good_sql);
    s.write("020_bad.sql", "SELECT 1;\nSELECT 2;\nSELECT 3;\nSELECT 'caf\xe9';\nSELECT 5;\n");
    const Outcome result = run_tool("pg-seed", {"-d", s.dbname, s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, (s.dir / "020_bad.sql").string() + ":4: "), result.err);
    BOOST_TEST(s.public_relations() == "0");
}

// Was a bug (fixed): a NUL byte in an SQL file cuts the
// batch it is in short without a word: libpq sends the batch as a C string
// (Session::send_batch, common/session.cpp), so the statements after the NUL in that batch
// never run, and pg-seed reports success. It should be exit 6 naming the line.
BOOST_AUTO_TEST_CASE(a_nul_byte_in_sql_is_exit_6_not_silently_dropped_statements) {
    Scratch s;
    s.write("010_good.sql", good_sql);
    static const char nul_sql[] =
        "SELECT 1;\nINSERT INTO good VALUES (100);\0\nINSERT INTO good VALUES (101);\n";
    s.write("020_nul.sql", std::string(nul_sql, sizeof nul_sql - 1));
    const Outcome result = run_tool("pg-seed", {"-d", s.dbname, s.dir.string()});
    BOOST_TEST(result.exit_code == 6, result.out << result.err);
    BOOST_TEST(contains(result.err, (s.dir / "020_nul.sql").string() + ":2: "), result.err);
    BOOST_TEST(s.public_relations() == "0");
}

// Was a bug (fixed): an unterminated comment that opens
// after the last statement is reported at the line where that statement ended, not where the
// comment opens: SqlChecks::check (tools/pg-seed.cpp) names first_line(), or start_line() when
// the text has no content, and a comment is not content.
BOOST_AUTO_TEST_CASE(an_unterminated_comment_names_the_line_it_opens) {
    Scratch s;
    s.write("010_good.sql", good_sql);
    s.write("020_comment.sql", "SELECT 1;\n\n-- a comment\n\n/* never closed\n\nSELECT 2;\n");
    const Outcome result = run_tool("pg-seed", {"-d", s.dbname, s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, (s.dir / "020_comment.sql").string() + ":5: unterminated comment"), result.err);
    BOOST_TEST(s.public_relations() == "0");
}

// Was a bug (fixed): a CSV header that is not valid
// UTF-8 is exit 2 ("could not quote identifier"), a usage error, after the transaction began,
// where a bad file is exit 6 naming file:line. plan_csv (tools/pg-seed.cpp) quotes the header's
// names with Session::quote_ident (common/session.cpp), which throws Exit::usage.
BOOST_AUTO_TEST_CASE(invalid_utf8_in_a_csv_header_is_exit_6_at_line_1) {
    Scratch s;
    s.write("010_good.sql", good_sql);
    s.write("020_quoted.csv", "\xff\xfev\nx\n");
    const Outcome result = run_tool("pg-seed", {"-d", s.dbname, s.dir.string()});
    BOOST_TEST(result.exit_code == 6, result.err);
    BOOST_TEST(contains(result.err, (s.dir / "020_quoted.csv").string() + ":1: "), result.err);
    BOOST_TEST(s.public_relations() == "0");
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================ option values

BOOST_AUTO_TEST_SUITE(bad_option_values)

namespace {

struct BadValue {
    std::string tool;
    Strings args;
    std::string message;  ///< a part of the message; "a|b": either (an empty value may be
                          ///< refused as empty before the option's own check sees it)
};

/// Runs the tool pointed at a port where nothing listens: reaching for the server would be
/// exit 3, so exit 2 shows the value was refused before connecting.
Outcome run_nowhere(const std::string& tool, const Strings& args) {
    return run_tool(tool, args, {{"PGHOST", tcp_host()}, {"PGPORT", unused_port()}});
}

/// Whether `text` holds one of the |-separated parts of `alternatives`.
bool contains_one_of(const std::string& text, const std::string& alternatives) {
    std::size_t start = 0;
    while (true) {
        const std::size_t bar = alternatives.find('|', start);
        if (contains(text, alternatives.substr(start, bar - start))) return true;
        if (bar == std::string::npos) return false;
        start = bar + 1;
    }
}

void expect_usage_error(const BadValue& bad) {
    BOOST_TEST_CONTEXT(bad.tool << " " << shown_all(bad.args)) {
        const Outcome outcome = run_nowhere(bad.tool, bad.args);
        BOOST_TEST(outcome.exit_code == 2, outcome.err);
        BOOST_TEST(contains(outcome.err, bad.tool + ": error: "), outcome.err);
        BOOST_TEST(contains_one_of(outcome.err, bad.message), outcome.err);
        BOOST_TEST(contains(outcome.err, bad.tool + ": hint: "), outcome.err);
        BOOST_TEST(outcome.out.empty(), outcome.out);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_tool_refuses_bad_values_before_connecting) {
    const fs::path dir = fs::temp_directory_path() / unique_name("pgkit-hostile-options");
    fs::create_directories(dir);
    const std::string csv = (dir / "t.csv").string();
    std::ofstream(csv) << "id\n1\n";
    std::ofstream(dir / "u.csv") << "id\n2\n";
    // What each tool needs besides the option under test.
    const std::map<std::string, Strings> operand = {
        {"pg-createdb", {"hostile_never"}},
        {"pg-createuser", {"hostile_never"}},
        {"pg-createextension", {"hostile_never"}},
        {"pg-createschema", {"hostile_never"}},
        {"pg-dropdb", {"hostile_never"}},
        {"pg-dropuser", {"hostile_never"}},
        {"pg-listtables", {}},
        {"pg-seed", {csv}},
        {"pg-grant", {"SELECT", "--table", "t", "hostile_never"}},
    };
    std::vector<BadValue> cases;
    for (const auto& [tool, rest] : operand) {
        const auto with = [&, tool = tool, rest = rest](Strings args, const std::string& message) {
            args.insert(args.end(), rest.begin(), rest.end());
            cases.push_back({tool, args, message});
        };
        with({"-p", "99999"}, "invalid port \"99999\"");
        with({"-p", "abc"}, "invalid port \"abc\"");
        with({"-p", "0"}, "invalid port \"0\"");
        with({"-p", "-5432"}, "invalid port \"-5432\"");
        with({"--port=5432,abc"}, "invalid port \"abc\"");
        with({"--format", "bogus"}, "invalid output format \"bogus\"");
        with({"--format", "JSON"}, "invalid output format \"JSON\"");
        with({"--format", ""}, "invalid output format \"\"|empty");
        with({"--no-such-option"}, "unrecognized option or argument: --no-such-option");
        with({"-Z"}, "unrecognized option or argument: -Z");
        with({"--connect-timeout", "soon"}, "invalid value");
        with({"--connect-timeout", "-1"}, "--connect-timeout must be 0");
        with({"--wait", "abc"}, "invalid value");
        with({"--wait", "-3"}, "--wait must be 0 to 604800 seconds");
        with({"--wait", "604801"}, "--wait must be 0 to 604800 seconds");
        with({"-w", "-W"}, "-w/--no-password and -W/--password cannot be used together");
        const bool maintenance = tool != "pg-listtables" && tool != "pg-seed" && tool != "pg-grant" &&
                                 tool != "pg-createschema" && tool != "pg-createextension";
        with({maintenance ? "--maintenance-db" : "--dbname", "dbname=x no_such_key=1"},
             "invalid connection string");
        with({maintenance ? "--maintenance-db" : "--dbname", "postgresql://[broken"},
             "invalid connection string");
        // A missing argument: the option last.
        cases.push_back({tool, {"--format"}, "--format: 1 required FORMAT missing"});
        cases.push_back({tool, {"-p"}, "--port: 1 required PORT missing"});
        cases.push_back({tool, {"-U"}, "--username: 1 required USERNAME missing"});
        cases.push_back({tool, {"-h"}, "--host: 1 required HOSTNAME missing"});
    }
    const std::vector<BadValue> own = {
        {"pg-createdb", {"--connection-limit", "-5", "hostile_never"}, "connection limit must be -1"},
        {"pg-createdb", {"--connection-limit", "-2", "hostile_never"}, "connection limit must be -1"},
        {"pg-createdb", {"--connection-limit", "abc", "hostile_never"}, "invalid value"},
        {"pg-createdb", {"--connection-limit", "1.5", "hostile_never"}, "invalid value"},
        {"pg-createdb", {"--connection-limit", "99999999999", "hostile_never"}, "invalid value"},
        {"pg-createdb", {"-E", "klingon", "hostile_never"}, "\"klingon\" is not a valid encoding name"},
        {"pg-createdb", {"-E", "UTF8; DROP DATABASE postgres", "hostile_never"},
         "\"UTF8; DROP DATABASE postgres\" is not a valid encoding name"},
        {"pg-createdb", {"--encoding", "", "hostile_never"}, "\"\" is not a valid encoding name|empty"},
        {"pg-createdb", {"--locale-provider", "bogus", "hostile_never"}, "invalid locale provider \"bogus\""},
        {"pg-createdb", {"--locale-provider", "", "hostile_never"}, "invalid locale provider \"\"|empty"},
        {"pg-createdb", {""}, "database name must not be empty"},
        {"pg-createdb", {"-O", "", "hostile_never"}, "owner must not be empty|empty"},
        {"pg-createdb", {"-T", "", "hostile_never"}, "template must not be empty|empty"},
        {"pg-createdb", {"-D", "", "hostile_never"}, "tablespace must not be empty|empty"},
        {"pg-createdb", {"-S", "", "hostile_never"}, "strategy must not be empty|empty"},
        {"pg-createdb", {"a", "b", "c"}, "too many command-line arguments (first is \"c\")"},
        {"pg-createuser", {"--connection-limit", "-5", "hostile_never"}, "connection limit must be -1"},
        {"pg-createuser", {"-c", "abc", "hostile_never"}, "invalid value"},
        {"pg-createuser", {"-c", "1e3", "hostile_never"}, "invalid value"},
        {"pg-createuser", {""}, "role name must not be empty"},
        {"pg-createuser", {"-g", "", "hostile_never"}, "role name must not be empty|empty"},
        {"pg-createuser", {"--role", "", "hostile_never"}, "role name must not be empty|empty"},
        {"pg-createuser", {"-a", "", "hostile_never"}, "role name must not be empty|empty"},
        {"pg-createuser", {"-m", "", "hostile_never"}, "role name must not be empty|empty"},
        {"pg-createuser", {"-d", "-D", "hostile_never"}, "-d/--createdb and -D/--no-createdb cannot be used together"},
        {"pg-createuser", {"-s", "-S", "hostile_never"}, "-s/--superuser and -S/--no-superuser cannot be used together"},
        {"pg-createuser", {"--password-env", "PGKIT_HOSTILE_SURELY_UNSET", "hostile_never"},
         "environment variable \"PGKIT_HOSTILE_SURELY_UNSET\" is not set"},
        {"pg-createuser", {"--password-env", "", "hostile_never"}, "environment variable \"\" is not set|empty"},
        {"pg-createuser", {"--update-password", "hostile_never"}, "--update-password needs a password"},
        {"pg-createuser", {"-P", "hostile_never"}, "-P/--pwprompt needs a terminal"},
        {"pg-createuser", {"a", "b"}, "too many command-line arguments"},
        {"pg-listtables", {"-t", "bogus"}, "unknown relation type \"bogus\""},
        {"pg-listtables", {"-t", "table,,view"}, "unknown relation type \"\""},
        {"pg-listtables", {"--type=TABLE"}, "unknown relation type \"TABLE\""},
        {"pg-seed", {}, "no file or directory to load"},
        {"pg-seed", {"--table", "", csv}, "table name must not be empty|empty"},
        {"pg-seed", {"--table", ".", csv}, "table name must not be empty"},
        {"pg-seed", {"--table", "public.", csv}, "table name must not be empty"},
        {"pg-seed", {"--table", ".t", csv}, "table name must not be empty"},
        {"pg-seed", {"--once", "--history-table", "", csv}, "history table name must not be empty|empty"},
        {"pg-seed", {"--once", "--history-table", "s.", csv}, "history table name must not be empty"},
        {"pg-seed", {"--table", "t", csv, (dir / "u.csv").string()}, "--table names the target of a single"},
        {"pg-seed", {"--table", "t", dir.string()}, "--table names the target of a single"},
        {"pg-seed", {"--reapply-changed", csv}, "--reapply-changed needs --once"},
        {"pg-seed", {"--per-file", "-j", "0", csv}, "--jobs"},
        {"pg-seed", {"--per-file", "-j", "abc", csv}, "--jobs"},
        {"pg-seed", {"--per-file", "-j", "65", csv}, "--jobs"},
        {"pg-grant", {"SELECT", "--table", "t"}, "missing required argument ROLE"},
        {"pg-grant", {"SELECT", "--table", "t", ""}, "role name must not be empty"},
        {"pg-grant", {"SELECT", "--table", "", "r"}, "--table must not be empty"},
        {"pg-grant", {"USAGE", "--schema", "a.b", "r"}, "improper schema pattern"},
        {"pg-grant", {"SELECT", "--table", "t", "--for-future", "", "r"}, "must not be empty|empty"},
        {"pg-grant", {"SELECT,UPDATE;", "--table", "t", "r"}, "invalid privilege \"UPDATE;\" for a table"},
        {"pg-grant", {"USAGE", "--database", "r"}, "invalid privilege \"USAGE\" for a database"},
    };
    cases.insert(cases.end(), own.begin(), own.end());
    for (const auto& bad : cases) expect_usage_error(bad);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_json_report_is_printed_for_a_usage_error_too) {
    for (const std::string tool : {"pg-createdb", "pg-createuser", "pg-listtables", "pg-seed"}) {
        BOOST_TEST_CONTEXT(tool) {
            const Outcome outcome = run_nowhere(tool, {"--format", "json", "-p", "99999", "x.csv"});
            BOOST_TEST(outcome.exit_code == 2);
            const Json report = json_of(outcome);
            BOOST_TEST(report.is_object(), outcome.out);
            if (report.is_object()) {
                BOOST_TEST(report.value("ok", true) == false);
                BOOST_TEST(report.value("exit_code", 0) == 2);
                BOOST_TEST(contains(report.value("message", ""), "invalid port \"99999\""));
            }
        }
    }
}

// "--option=" with nothing after the "=" (what a script's --owner="$OWNER" gives when OWNER is
// empty) is an empty value, refused; CLI11 alone would take the NEXT argument as the value
// (`pg-createdb --owner= app` made a database named after the user, owned by "app").
BOOST_AUTO_TEST_CASE(an_empty_value_after_equals_is_empty_not_the_next_argument) {
    for (const BadValue& bad : std::vector<BadValue>{
             {"pg-createdb", {"--owner=", "hostile_never"}, "owner must not be empty"},
             {"pg-createuser", {"--member-of=", "hostile_never"}, "--member-of must not be empty"},
             {"pg-seed", {"--table=", "x.csv"}, "--table must not be empty"},
         }) {
        BOOST_TEST_CONTEXT(bad.tool << " " << shown_all(bad.args)) {
            const Outcome outcome = run_nowhere(bad.tool, bad.args);
            BOOST_TEST(outcome.exit_code == 2, outcome.err);
            BOOST_TEST(contains(outcome.err, bad.message), outcome.err);
            BOOST_TEST(!contains(outcome.err, "connection to server"), outcome.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_empty_value_is_refused_not_taken_for_the_default) {
    // What --connection-limit "$LIMIT" or --wait "$WAIT" gives with the variable empty: a
    // mistake, not "not given" (a limit silently not set, no waiting).
    for (const BadValue& bad : std::vector<BadValue>{
             {"pg-createdb", {"--connection-limit", "", "hostile_never"}, "--connection-limit must not be empty"},
             {"pg-createdb", {"--connect-timeout", "", "hostile_never"}, "--connect-timeout must not be empty"},
             {"pg-createdb", {"--wait", "", "hostile_never"}, "--wait must not be empty"},
             {"pg-createuser", {"-c", "", "hostile_never"}, "--connection-limit must not be empty"},
             {"pg-createuser", {"-v", "", "hostile_never"}, "--valid-until must not be empty"},
             {"pg-listtables", {"--wait", ""}, "--wait must not be empty"},
             {"pg-listtables", {"-t", ""}, "--type must not be empty"},
             {"pg-listtables", {"-n", ""}, "--schema must not be empty"},
             {"pg-listtables", {"-N", ""}, "--exclude-schema must not be empty"},
             {"pg-listtables", {"-U", ""}, "--username must not be empty"},
             {"pg-listtables", {"-d", ""}, "--dbname must not be empty"},
             {"pg-seed", {"--connect-timeout", "", "x.csv"}, "--connect-timeout must not be empty"},
             {"pg-createdb", {"--maintenance-db", "", "hostile_never"}, "--maintenance-db must not be empty"},
         }) {
        expect_usage_error(bad);
    }
}

// Was a bug (fixed): pg-listtables takes an empty
// PATTERN ("$TABLE" with the variable empty) and goes on to connect, and lists nothing, where
// an empty -n, -N or -t is exit 2 (Tool::run's empty-value check, common/tool.cpp, skips
// positional arguments). It should be exit 2 too (tools/pg-listtables.cpp, where the patterns
// are read).
BOOST_AUTO_TEST_CASE(pg_listtables_refuses_an_empty_pattern) {
    for (const Strings& args : std::vector<Strings>{{""}, {"public.*", ""}}) {
        BOOST_TEST_CONTEXT("pg-listtables " << shown_all(args)) {
            const Outcome outcome = run_nowhere("pg-listtables", args);
            BOOST_TEST(outcome.exit_code == 2, outcome.err);
            BOOST_TEST(contains(outcome.err, "empty"), outcome.err);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
