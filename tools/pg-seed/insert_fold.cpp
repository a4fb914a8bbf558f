#include "tools/pg-seed/insert_fold.hpp"

namespace pgkit {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_letter(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}

bool is_identifier_char(char c) { return is_letter(c) || (c >= '0' && c <= '9') || c == '$'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A cursor over the statement; every method returns false (and may leave the position
/// anywhere) when the text is not what a foldable INSERT has there.
class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    std::size_t at() const { return at_; }
    bool done() const { return at_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
    }

    /// The byte `c`, taken when it is next.
    bool take(char c) {
        if (peek() != c) return false;
        ++at_;
        return true;
    }

    void skip_space() {
        while (!done() && is_space(text_[at_])) ++at_;
    }

    /// Whitespace and comments, before the statement only.
    bool skip_space_and_comments() {
        while (true) {
            skip_space();
            if (peek() == '-' && peek(1) == '-') {
                while (!done() && text_[at_] != '\n') ++at_;
            } else if (peek() == '/' && peek(1) == '*') {
                int depth = 0;
                do {
                    if (peek() == '/' && peek(1) == '*') {
                        ++depth;
                        at_ += 2;
                    } else if (peek() == '*' && peek(1) == '/') {
                        --depth;
                        at_ += 2;
                    } else if (done()) {
                        return false;
                    } else {
                        ++at_;
                    }
                } while (depth > 0);
            } else {
                return true;
            }
        }
    }

    /// A keyword, in any case, not followed by a letter or digit.
    bool keyword(std::string_view word) {
        if (text_.size() - at_ < word.size()) return false;
        for (std::size_t i = 0; i < word.size(); ++i) {
            char c = text_[at_ + i];
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
            if (c != word[i]) return false;
        }
        if (is_identifier_char(peek(word.size()))) return false;
        at_ += word.size();
        return true;
    }

    /// An identifier, quoted ("a ""b""") or not.
    bool identifier() {
        if (peek() == '"') return quoted('"', false);
        if (!is_letter(peek())) return false;
        while (!done() && is_identifier_char(text_[at_])) ++at_;
        return true;
    }

    /// name, schema.name or database.schema.name.
    bool qualified_name() {
        if (!identifier()) return false;
        for (int parts = 1; parts < 3; ++parts) {
            const std::size_t before = at_;
            skip_space();
            if (peek() != '.') {
                at_ = before;
                return true;
            }
            ++at_;
            skip_space();
            if (!identifier()) return false;
        }
        return true;
    }

    /// A constant: '...', E'...', a number with an optional sign, NULL, TRUE, FALSE, DEFAULT.
    bool constant() {
        const char c = peek();
        if (c == '\'') return string_literal(false);
        if ((c == 'E' || c == 'e') && peek(1) == '\'') {
            ++at_;
            return string_literal(true);
        }
        if (c == '+' || c == '-') {
            ++at_;
            skip_space();
            return number();
        }
        if (is_digit(c) || c == '.') return number();
        return keyword("NULL") || keyword("TRUE") || keyword("FALSE") || keyword("DEFAULT");
    }

private:
    bool string_literal(bool escapes) { return quoted('\'', escapes); }

    /// From an opening quote past its closing one: a doubled quote stands for one, and with
    /// `escapes` (E'') a backslash takes the next byte with it.
    bool quoted(char quote, bool escapes) {
        ++at_;
        while (true) {
            if (done()) return false;
            const char c = text_[at_];
            if (escapes && c == '\\') {
                at_ += 2;
                continue;
            }
            if (c == quote) {
                if (peek(1) == quote) {
                    at_ += 2;
                    continue;
                }
                ++at_;
                return true;
            }
            ++at_;
        }
    }

    /// Digits, a fraction, an exponent; not followed by a letter (0x1F, 1_000: left alone).
    bool number() {
        bool digits = false;
        while (is_digit(peek())) {
            ++at_;
            digits = true;
        }
        if (peek() == '.') {
            ++at_;
            while (is_digit(peek())) {
                ++at_;
                digits = true;
            }
        }
        if (!digits) return false;
        if (peek() == 'e' || peek() == 'E') {
            ++at_;
            if (peek() == '+' || peek() == '-') ++at_;
            if (!is_digit(peek())) return false;
            while (is_digit(peek())) ++at_;
        }
        return !is_identifier_char(peek()) && peek() != '.';
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace

std::optional<InsertShape> parse_insert(std::string_view statement) {
    Scanner scan(statement);
    if (!scan.skip_space_and_comments()) return std::nullopt;
    const std::size_t start = scan.at();
    if (!scan.keyword("INSERT")) return std::nullopt;
    scan.skip_space();
    if (!scan.keyword("INTO")) return std::nullopt;
    scan.skip_space();
    const std::size_t target_start = scan.at();
    if (!scan.qualified_name()) return std::nullopt;
    InsertShape shape;
    shape.target = statement.substr(target_start, scan.at() - target_start);
    scan.skip_space();
    if (scan.take('(')) {  // the column list
        do {
            scan.skip_space();
            if (!scan.identifier()) return std::nullopt;
            scan.skip_space();
        } while (scan.take(','));
        if (!scan.take(')')) return std::nullopt;
        scan.skip_space();
    }
    if (scan.keyword("OVERRIDING")) {
        scan.skip_space();
        if (!scan.keyword("SYSTEM") && !scan.keyword("USER")) return std::nullopt;
        scan.skip_space();
        if (!scan.keyword("VALUE")) return std::nullopt;
        scan.skip_space();
    }
    if (!scan.keyword("VALUES")) return std::nullopt;
    shape.header = statement.substr(start, scan.at() - start);
    do {
        scan.skip_space();
        const std::size_t row_start = scan.at();
        if (!scan.take('(')) return std::nullopt;
        std::size_t width = 0;
        do {
            scan.skip_space();
            const bool is_default = scan.keyword("DEFAULT");
            if (!is_default && !scan.constant()) return std::nullopt;
            shape.any_default = shape.any_default || is_default;
            ++width;
            scan.skip_space();
        } while (scan.take(','));
        if (!scan.take(')')) return std::nullopt;
        if (shape.rows.empty()) {
            shape.width = width;
        } else if (width != shape.width) {
            return std::nullopt;
        }
        shape.rows.push_back(statement.substr(row_start, scan.at() - row_start));
        scan.skip_space();
    } while (scan.take(','));
    scan.take(';');
    scan.skip_space();
    if (!scan.done()) return std::nullopt;
    return shape;
}

std::string folded_statement(std::string_view header, const std::vector<std::string>& rows) {
    std::size_t size = header.size();
    for (const auto& row : rows) size += row.size() + 2;
    std::string sql;
    sql.reserve(size);
    sql += header;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        sql += i == 0 ? " " : ",\n";
        sql += rows[i];
    }
    return sql;
}

namespace {

/// An identifier as the catalog has it: quotes removed ("" is one), or letters folded to
/// lower case (ASCII, as the server folds them).
std::string catalog_name(std::string_view written) {
    std::string name;
    if (!written.empty() && written.front() == '"') {
        for (std::size_t i = 1; i + 1 < written.size(); ++i) {
            name += written[i];
            if (written[i] == '"') ++i;  // "" stands for one
        }
        return name;
    }
    for (const char c : written) name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return name;
}

/// Whether a float or numeric column gets the same from COPY reading `number` as from INSERT,
/// which reads it as a numeric constant first: not for a negative zero (numeric has none, a
/// float keeps it), nor for a length or exponent numeric may refuse where float input would not.
bool same_as_numeric(std::string_view number) {
    if (number.size() > 100) return false;
    const std::size_t e = number.find_first_of("eE");
    if (e != std::string_view::npos) {
        const std::string_view exponent = number.substr(e + 1);
        const std::size_t digits = exponent.find_first_not_of("+-");
        if (exponent.size() - digits > 3) return false;  // |exponent| up to 999
    }
    const std::string_view mantissa = number.substr(0, e);
    const bool zero = mantissa.find_first_of("123456789") == std::string_view::npos;
    return !(zero && mantissa.find('-') != std::string_view::npos);
}

}  // namespace

std::optional<Header> parse_header(std::string_view text) {
    Scanner scan(text);
    if (!scan.keyword("INSERT")) return std::nullopt;
    scan.skip_space();
    if (!scan.keyword("INTO")) return std::nullopt;
    scan.skip_space();
    const std::size_t target_start = scan.at();
    if (!scan.qualified_name()) return std::nullopt;
    Header header;
    header.target = std::string(text.substr(target_start, scan.at() - target_start));
    scan.skip_space();
    if (scan.peek() == '(') {
        const std::size_t list_start = scan.at();
        scan.take('(');
        do {
            scan.skip_space();
            const std::size_t start = scan.at();
            if (!scan.identifier()) return std::nullopt;
            header.columns.push_back(catalog_name(text.substr(start, scan.at() - start)));
            if (header.columns.back().size() > 63) return std::nullopt;
            scan.skip_space();
        } while (scan.take(','));
        if (!scan.take(')')) return std::nullopt;
        header.list = std::string(text.substr(list_start, scan.at() - list_start));
        scan.skip_space();
    }
    if (scan.keyword("OVERRIDING")) {
        scan.skip_space();
        header.overriding =
            scan.keyword("SYSTEM") ? Header::Overriding::system : Header::Overriding::user;
    }
    return header;
}

std::string copy_statement(const Header& header) {
    return "COPY " + header.target + " " + header.list.value_or("") + " FROM STDIN";
}

std::optional<std::string> copy_line(std::string_view row, const std::vector<ColumnType>& columns) {
    Scanner scan(row);
    if (!scan.take('(')) return std::nullopt;
    std::string line;
    std::size_t index = 0;
    do {
        scan.skip_space();
        if (index >= columns.size()) return std::nullopt;
        const ColumnType& column = columns[index];
        if (index > 0) line += '\t';
        const std::size_t start = scan.at();
        const char c = scan.peek();
        if (c == '\'') {
            if (!scan.constant()) return std::nullopt;
            // The string's text: '' is one quote; then COPY's escapes for what it reads.
            const std::string_view quoted = row.substr(start + 1, scan.at() - start - 2);
            for (std::size_t i = 0; i < quoted.size(); ++i) {
                const char b = quoted[i];
                if (b == '\'') ++i;
                switch (b) {
                    case '\\': line += "\\\\"; break;
                    case '\n': line += "\\n"; break;
                    case '\r': line += "\\r"; break;
                    case '\t': line += "\\t"; break;
                    default: line += b;
                }
            }
        } else if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) {
            if (!(column.number || column.integer) || !scan.constant()) return std::nullopt;
            std::string number;
            for (const char b : row.substr(start, scan.at() - start)) {
                // An integer column reads integers alike; 2.5 INSERT would round, COPY refuse.
                if (column.integer && !is_digit(b) && b != '+' && b != '-' && !is_space(b)) {
                    return std::nullopt;
                }
                if (!is_space(b)) number += b;  // "- 5" is -5
            }
            if (column.number && !same_as_numeric(number)) return std::nullopt;
            line += number;
        } else if (scan.keyword("NULL")) {
            line += "\\N";
        } else if (column.boolean && scan.keyword("TRUE")) {
            line += "true";
        } else if (column.boolean && scan.keyword("FALSE")) {
            line += "false";
        } else {
            return std::nullopt;  // E'', DEFAULT, TRUE or FALSE into another type
        }
        ++index;
        scan.skip_space();
    } while (scan.take(','));
    if (!scan.take(')') || index != columns.size()) return std::nullopt;
    line += '\n';
    return line;
}

std::string_view fold_check_query() {
    // $1: the target as written, resolved as the INSERT resolves it. Partitions and parents are
    // found through pg_inherits, which takes no lock (pg_partition_tree locks every
    // partition). Triggers that fire on INSERT (tgtype bit 2) are allowed only as the
    // foreign-key checks of the table itself towards a table outside its family (its
    // partitions and its parents: a key into a parent of a partition is self-referencing too).
    return "WITH RECURSIVE target AS (SELECT pg_catalog.to_regclass($1) AS oid),"
           " tree(relid) AS (SELECT t.oid FROM target t WHERE t.oid IS NOT NULL"
           "  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree"
           "  ON i.inhparent OPERATOR(pg_catalog.=) tree.relid),"
           " family(relid) AS (SELECT relid FROM tree"
           "  UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN family f"
           "  ON i.inhrelid OPERATOR(pg_catalog.=) f.relid),"
           " domains(oid) AS ("
           "  SELECT y.oid FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type x"
           "   ON x.oid OPERATOR(pg_catalog.=) a.atttypid JOIN pg_catalog.pg_type y"
           "   ON y.oid IN (x.oid, x.typelem) WHERE a.attrelid IN (SELECT relid FROM tree)"
           "   AND a.attnum OPERATOR(pg_catalog.>) 0 AND y.typtype OPERATOR(pg_catalog.=) 'd'"
           "  UNION SELECT b.oid FROM domains d JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) d.oid"
           "   JOIN pg_catalog.pg_type b ON b.oid OPERATOR(pg_catalog.=) t.typbasetype"
           "   WHERE b.typtype OPERATOR(pg_catalog.=) 'd')"
           " SELECT EXISTS (SELECT 1 FROM target WHERE oid IS NOT NULL)"
           " AND NOT EXISTS (SELECT 1 FROM tree JOIN pg_catalog.pg_class c"
           "  ON c.oid OPERATOR(pg_catalog.=) tree.relid"
           "  WHERE c.relkind NOT IN ('r', 'p') OR c.relrowsecurity)"
           " AND NOT EXISTS (SELECT 1 FROM tree JOIN pg_catalog.pg_trigger g"
           "  ON g.tgrelid OPERATOR(pg_catalog.=) tree.relid"
           "  WHERE (g.tgtype::pg_catalog.int4 OPERATOR(pg_catalog.&) 4) OPERATOR(pg_catalog.<>) 0"
           "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
           "   WHERE k.oid OPERATOR(pg_catalog.=) g.tgconstraint AND k.contype OPERATOR(pg_catalog.=) 'f'"
           "   AND k.conrelid OPERATOR(pg_catalog.=) g.tgrelid"
           "   AND k.confrelid NOT IN (SELECT relid FROM family)))"
           " AND NOT EXISTS (SELECT 1 FROM tree JOIN pg_catalog.pg_rewrite r"
           "  ON r.ev_class OPERATOR(pg_catalog.=) tree.relid)"
           // Code of the database's own (a function, an operator) in a default, a check or a
           // domain (its default or checks).
           " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
           "  WHERE d.refclassid IN ('pg_catalog.pg_proc'::pg_catalog.regclass,"
           "   'pg_catalog.pg_operator'::pg_catalog.regclass)"
           "  AND d.refobjid OPERATOR(pg_catalog.>=) 16384"
           "  AND ((d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
           "    AND d.objid IN (SELECT f.oid FROM pg_catalog.pg_attrdef f"
           "     WHERE f.adrelid IN (SELECT relid FROM tree)))"
           "   OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass"
           "    AND d.objid IN (SELECT k.oid FROM pg_catalog.pg_constraint k"
           "     WHERE k.conrelid IN (SELECT relid FROM tree)"
           "     OR k.contypid IN (SELECT oid FROM domains)))"
           "   OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
           "    AND d.objid IN (SELECT oid FROM domains))))"
           // The table's columns in order: the kind of type COPY may read a number or a
           // boolean into as INSERT does, the identity kind, and whether a default of theirs
           // (the column's, or its domain's) takes a value from a sequence, which a failed
           // fold would use up.
           ", (SELECT pg_catalog.json_agg(pg_catalog.json_build_object("
           "   'name', a.attname,"
           "   'type', CASE WHEN a.atttypid OPERATOR(pg_catalog.=) ANY ('{21,23,20}'::pg_catalog.oid[])"
           "     THEN 'integer' WHEN a.atttypid OPERATOR(pg_catalog.=) ANY ('{1700,700,701}'::pg_catalog.oid[])"
           "     THEN 'number' WHEN a.atttypid OPERATOR(pg_catalog.=) 16 THEN 'boolean' ELSE 'other' END,"
           "   'identity', a.attidentity::pg_catalog.text,"
           "   'sequence', a.attidentity OPERATOR(pg_catalog.<>) '' OR EXISTS (SELECT 1"
           "    FROM pg_catalog.pg_attrdef f WHERE f.adrelid OPERATOR(pg_catalog.=) a.attrelid"
           "    AND f.adnum OPERATOR(pg_catalog.=) a.attnum AND (pg_catalog.pg_get_expr(f.adbin, f.adrelid)"
           "    OPERATOR(pg_catalog.~*) 'nextval' OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
           "    JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) d.refobjid"
           "    AND s.relkind OPERATOR(pg_catalog.=) 'S'"
           "    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
           "    AND d.objid OPERATOR(pg_catalog.=) f.oid)))"
           "   OR EXISTS (WITH RECURSIVE chain(oid) AS (SELECT a.atttypid UNION SELECT t.typbasetype"
           "    FROM pg_catalog.pg_type t JOIN chain c ON t.oid OPERATOR(pg_catalog.=) c.oid"
           "    WHERE t.typtype OPERATOR(pg_catalog.=) 'd') SELECT 1 FROM chain c JOIN pg_catalog.pg_type t"
           "    ON t.oid OPERATOR(pg_catalog.=) c.oid WHERE t.typdefault OPERATOR(pg_catalog.~*) 'nextval'))"
           "  ORDER BY a.attnum) FROM pg_catalog.pg_attribute a, target t"
           "  WHERE a.attrelid OPERATOR(pg_catalog.=) t.oid AND a.attnum OPERATOR(pg_catalog.>) 0"
           "  AND NOT a.attisdropped)";
}

}  // namespace pgkit
