#include "tools/pg-seed/seed_input.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "common/errors.hpp"

namespace data = boost::unit_test::data;
using namespace pgkit;

namespace {

/// What table_of_file should give for one file name: nothing (no table), or schema and name.
struct FileCase {
    std::string file;
    bool table = false;
    std::optional<std::string> schema;
    std::string name;
};

std::ostream& operator<<(std::ostream& out, const FileCase& c) {
    out << '"' << c.file << "\" -> ";
    if (!c.table) return out << "(none)";
    if (c.schema) out << '"' << *c.schema << "\".";
    return out << '"' << c.name << '"';
}

FileCase none(std::string file) { return {std::move(file), false, std::nullopt, {}}; }
FileCase table(std::string file, std::string name) {
    return {std::move(file), true, std::nullopt, std::move(name)};
}
FileCase qualified(std::string file, std::string schema, std::string name) {
    return {std::move(file), true, std::move(schema), std::move(name)};
}

const FileCase file_cases[] = {
    // The suffixes: .csv or .tsv, each optionally compressed once.
    table("users.csv", "users"),
    table("users.tsv", "users"),
    table("users.csv.gz", "users"),
    table("users.csv.xz", "users"),
    table("users.csv.zst", "users"),
    table("users.tsv.gz", "users"),
    table("users.tsv.xz", "users"),
    table("users.tsv.zst", "users"),
    none("users.sql"),
    none("users.sql.gz"),
    none("users.csv.bz2"),     // not a compression pg-seed reads
    none("users.csv.gz.gz"),   // one compression suffix only
    none("users.csv.zip"),
    none("users.gz"),
    none("users.CSV"),         // suffixes are case-sensitive
    none("users.Csv.gz"),
    none("users.csv "),        // a trailing blank is part of the name
    none("users.csvx"),
    none("userscsv"),
    none("csv"),
    none(".csv"),              // nothing before the suffix
    none(".tsv.gz"),
    none(".gz"),
    none(""),
    // The order prefix: digits and then "_" or "-" come off, once.
    table("020_users.csv", "users"),
    table("1-users.csv", "users"),
    table("0_users.tsv.zst", "users"),
    table("007-x.csv.gz", "x"),
    table("020__users.csv", "_users"),   // only the first separator goes
    table("020-_users.csv", "_users"),
    table("020_1_x.csv", "1_x"),         // only one prefix
    table("1-2-3.csv", "2-3"),
    table("020.csv", "020"),             // digits alone are the name
    table("1.csv.xz", "1"),
    table("020users.csv", "020users"),   // no separator: no prefix
    table("0a_users.csv", "0a_users"),   // not all digits
    table("_users.csv", "_users"),       // no digits
    table("-users.csv", "-users"),
    table("x020_users.csv", "x020_users"),
    none("020_.csv"),                    // a prefix and nothing else
    none("1-.tsv.gz"),
    table("020_ users.csv", " users"),
    // Dots: the first one splits schema from table.
    qualified("sales.orders.csv", "sales", "orders"),
    qualified("020_sales.orders.csv.zst", "sales", "orders"),
    qualified("a.b.c.tsv.xz", "a", "b.c"),
    qualified("020.x.csv", "020", "x"),          // "020" then "." is no prefix
    qualified("020_.x.csv", "", "x"),            // an empty schema: TableName::check refuses it
    qualified("a..csv", "a", ""),                // an empty name: refused by check too
    qualified("..csv", "", ""),
    // Any other byte is part of the name.
    table("my table.csv", "my table"),
    table("020_gr\xc3\xb6\xc3\x9f" "e.csv", "gr\xc3\xb6\xc3\x9f" "e"),
    table("x\"; DROP TABLE y; --.csv", "x\"; DROP TABLE y; --"),
    table("tab\there.tsv", "tab\there"),
    table("\xff\xfe.csv", "\xff\xfe"),           // bytes, not characters: the server judges
    // Only the last suffix comes off: "users.csv" is left, schema "users", table "csv".
    qualified("users.csv.csv", "users", "csv"),
    qualified("users.csv.tsv.gz", "users", "csv"),
};

}  // namespace

BOOST_AUTO_TEST_SUITE(seed_input)

BOOST_DATA_TEST_CASE(file_names_name_tables, data::make(file_cases), c) {
    const auto result = table_of_file(c.file);
    BOOST_TEST(result.has_value() == c.table);
    if (result && c.table) {
        BOOST_TEST(result->schema.has_value() == c.schema.has_value());
        if (result->schema && c.schema) BOOST_TEST(*result->schema == *c.schema);
        BOOST_TEST(result->name == c.name);
    }
}

BOOST_AUTO_TEST_CASE(text_gives_back_what_was_parsed) {
    BOOST_TEST(table_of_file("020_sales.orders.csv")->text() == "sales.orders");
    BOOST_TEST(table_of_file("users.csv.gz")->text() == "users");
    BOOST_TEST(table_of_file("..csv")->text() == ".");
    for (const std::string text : {"a", "a.b", "a.b.c", ".", "..", ".a", "a.", " . "}) {
        BOOST_TEST(TableName::parse(text).text() == text);
    }
    const TableName parsed = TableName::parse("s.t.u");
    BOOST_TEST(parsed.schema.value_or("(none)") == "s");
    BOOST_TEST(parsed.name == "t.u");
    BOOST_TEST(!TableName::parse("plain").schema.has_value());
    BOOST_TEST(TableName::parse("").name.empty());
}

BOOST_AUTO_TEST_CASE(check_refuses_empty_and_long_parts) {
    const std::string longest(63, 'x');
    BOOST_CHECK_NO_THROW(TableName::parse(longest).check("table name"));
    BOOST_CHECK_NO_THROW(TableName::parse(longest + "." + longest).check("table name"));
    BOOST_CHECK_NO_THROW(TableName::parse("x").check("table name"));
    BOOST_CHECK_NO_THROW(TableName::parse("a.b.c").check("table name"));  // name "b.c"
    // Bytes count: 31 two-byte letters and one more byte are 63 bytes; one more is too many.
    std::string letters;
    for (int i = 0; i < 31; ++i) letters += "\xc3\xa9";
    BOOST_CHECK_NO_THROW(TableName::parse(letters + "x").check("table name"));
    BOOST_CHECK_THROW(TableName::parse(letters + "xy").check("table name"), UsageError);
    BOOST_CHECK_THROW(TableName::parse(longest + "y").check("table name"), UsageError);
    BOOST_CHECK_THROW(TableName::parse(longest + "y.t").check("table name"), UsageError);
    BOOST_CHECK_THROW(TableName::parse("s." + longest + "y").check("table name"), UsageError);
    for (const std::string empty : {"", ".", "a.", ".a", ".."}) {
        BOOST_CHECK_THROW(TableName::parse(empty).check("table name"), UsageError);
    }
    BOOST_CHECK_THROW(TableName::parse(std::string("a\0b", 3)).check("table name"), UsageError);
    // The file name rules give such names; check() is what refuses them.
    BOOST_CHECK_THROW(table_of_file("a..csv")->check("table name"), UsageError);
    BOOST_CHECK_THROW(table_of_file("020_.x.csv")->check("table name"), UsageError);
    BOOST_CHECK_THROW(table_of_file(std::string(64, 't') + ".csv")->check("table name"), UsageError);
    BOOST_CHECK_NO_THROW(table_of_file("020_" + longest + ".csv.gz")->check("table name"));
}

BOOST_AUTO_TEST_CASE(check_messages_say_what_and_why) {
    try {
        TableName::parse("s." + std::string(64, 'n')).check("history table name");
        BOOST_FAIL("no error");
    } catch (const UsageError& error) {
        const std::string message = error.what();
        BOOST_TEST(message.find("history table name") != std::string::npos, message);
        BOOST_TEST(message.find("64 bytes") != std::string::npos, message);
        BOOST_TEST(error.exit_status() == 2);
    }
    try {
        TableName::parse("s.").check("table name");
        BOOST_FAIL("no error");
    } catch (const UsageError& error) {
        BOOST_TEST(std::string(error.what()) == "table name must not be empty");
    }
}

using Names = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(csv_header_plain_fields) {
    BOOST_TEST(parse_csv_header("id,name,email", ',') == (Names{"id", "name", "email"}));
    BOOST_TEST(parse_csv_header("id", ',') == (Names{"id"}));
    BOOST_TEST(parse_csv_header("", ',') == (Names{""}));  // one empty name, not none
    BOOST_TEST(parse_csv_header(",", ',') == (Names{"", ""}));
    BOOST_TEST(parse_csv_header("a,", ',') == (Names{"a", ""}));
    BOOST_TEST(parse_csv_header(",a", ',') == (Names{"", "a"}));
    BOOST_TEST(parse_csv_header("a,,b", ',') == (Names{"a", "", "b"}));
    // Blanks are kept: the column " a " is not "a".
    BOOST_TEST(parse_csv_header(" a , b ", ',') == (Names{" a ", " b "}));
    BOOST_TEST(parse_csv_header("Full Name,\xc3\xa9t\xc3\xa9", ',') ==
               (Names{"Full Name", "\xc3\xa9t\xc3\xa9"}));
}

BOOST_AUTO_TEST_CASE(csv_header_quoting) {
    BOOST_TEST(parse_csv_header("\"a,b\",c", ',') == (Names{"a,b", "c"}));
    BOOST_TEST(parse_csv_header("\"say \"\"hi\"\"\"", ',') == (Names{"say \"hi\""}));
    BOOST_TEST(parse_csv_header("\"\"", ',') == (Names{""}));
    BOOST_TEST(parse_csv_header("\"\"\"\"", ',') == (Names{"\""}));
    BOOST_TEST(parse_csv_header("\"\",\"\"", ',') == (Names{"", ""}));
    // A quote opens and closes anywhere in a field, as COPY's CSV reader does.
    BOOST_TEST(parse_csv_header("a\"b\"c", ',') == (Names{"abc"}));
    BOOST_TEST(parse_csv_header("a\"b,c\"d,e", ',') == (Names{"ab,cd", "e"}));
    // "" outside quotes is an empty quoted part, not a quote.
    BOOST_TEST(parse_csv_header("a\"\"b", ',') == (Names{"ab"}));
    // An unterminated quote runs to the end of the line.
    BOOST_TEST(parse_csv_header("\"a,b", ',') == (Names{"a,b"}));
    BOOST_TEST(parse_csv_header("x,\"", ',') == (Names{"x", ""}));
    // Quoted names keep every other byte.
    BOOST_TEST(parse_csv_header("\"a\tb\",\"x\ny\"", ',') == (Names{"a\tb", "x\ny"}));
    BOOST_TEST(parse_csv_header("\"x\"\"; DROP TABLE t; --\"", ',') ==
               (Names{"x\"; DROP TABLE t; --"}));
}

BOOST_AUTO_TEST_CASE(csv_header_carriage_returns) {
    // A CRLF file's header line ends in "\r": dropped.
    BOOST_TEST(parse_csv_header("id,name\r", ',') == (Names{"id", "name"}));
    BOOST_TEST(parse_csv_header("\"id\",\"name\"\r", ',') == (Names{"id", "name"}));
    // Outside quotes a "\r" is dropped anywhere; inside quotes it is kept.
    BOOST_TEST(parse_csv_header("a\rb,c", ',') == (Names{"ab", "c"}));
    BOOST_TEST(parse_csv_header("\"a\r\",b", ',') == (Names{"a\r", "b"}));
    BOOST_TEST(parse_csv_header("\r", ',') == (Names{""}));
}

BOOST_AUTO_TEST_CASE(csv_header_tab_delimiter) {
    BOOST_TEST(parse_csv_header("id\tname", '\t') == (Names{"id", "name"}));
    BOOST_TEST(parse_csv_header("id,name", '\t') == (Names{"id,name"}));
    BOOST_TEST(parse_csv_header("id\tname", ',') == (Names{"id\tname"}));
    BOOST_TEST(parse_csv_header("\"a\tb\"\tc\r", '\t') == (Names{"a\tb", "c"}));
    BOOST_TEST(parse_csv_header("\t\t", '\t') == (Names{"", "", ""}));
    // Another delimiter: whatever byte is asked for.
    BOOST_TEST(parse_csv_header("a;b;\"c;d\"", ';') == (Names{"a", "b", "c;d"}));
}

BOOST_AUTO_TEST_CASE(csv_header_does_not_strip_a_bom) {
    // The caller (pg-seed) strips a BOM before the header; here it is part of the first name.
    BOOST_TEST(parse_csv_header("\xEF\xBB\xBFid,name", ',') == (Names{"\xEF\xBB\xBFid", "name"}));
    BOOST_TEST(parse_csv_header("\xEF\xBB\xBF\"id\"", ',') == (Names{"\xEF\xBB\xBFid"}));
}

BOOST_AUTO_TEST_CASE(csv_header_keeps_nul_and_high_bytes) {
    const std::string line("a\0b,\xff", 5);
    BOOST_TEST(parse_csv_header(line, ',') == (Names{std::string("a\0b", 3), "\xff"}));
}

BOOST_AUTO_TEST_SUITE_END()
