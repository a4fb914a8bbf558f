#include "tools/pg-seed/seed_input.hpp"

#include "tools/pg-seed/byte_source.hpp"
#include "common/names.hpp"

namespace pgkit {

TableName TableName::parse(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return {std::nullopt, std::string(text)};
    return {std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
}

void TableName::check(const char* what) const {
    if (schema) check_identifier(what, *schema);
    check_identifier(what, name);
}

std::string TableName::text() const { return schema ? *schema + "." + name : name; }

std::optional<Kind> kind_of(std::string_view file_name) {
    std::string_view name;
    compression_of(file_name, &name);
    for (const auto& [suffix, kind] : {std::pair{".sql", Kind::sql}, std::pair{".csv", Kind::csv},
                                       std::pair{".tsv", Kind::tsv}}) {
        if (name.size() > 4 && name.ends_with(suffix)) return kind;
    }
    return std::nullopt;
}

std::optional<TableName> table_of_file(std::string_view file_name) {
    const auto kind = kind_of(file_name);
    if (!kind || *kind == Kind::sql) return std::nullopt;
    std::string_view name;
    compression_of(file_name, &name);
    name.remove_suffix(4);
    std::size_t skip = 0;
    while (skip < name.size() && name[skip] >= '0' && name[skip] <= '9') ++skip;
    if (skip > 0 && skip < name.size() && (name[skip] == '_' || name[skip] == '-')) {
        name.remove_prefix(skip + 1);
    }
    if (name.empty()) return std::nullopt;
    return TableName::parse(name);
}

std::vector<std::string> parse_csv_header(std::string_view line, char delimiter) {
    std::vector<std::string> names(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                names.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                names.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == delimiter) {
            names.emplace_back();
        } else if (c != '\r') {
            names.back() += c;
        }
    }
    return names;
}

}  // namespace pgkit
