/// pg-createschema: CREATE SCHEMA for scripts, in the database of -d, with --if-not-exists
/// convergence of the owner and the comment.
///
/// The SQL: CREATE SCHEMA name [AUTHORIZATION owner], and COMMENT ON SCHEMA for --comment, in
/// one transaction; an existing schema gets ALTER SCHEMA ... OWNER TO and COMMENT ON SCHEMA
/// for what differs.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/tool.hpp"

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> schemas;
    std::optional<std::string> owner, comment;
    bool if_not_exists = false;
};

void validate(const Request& request) {
    if (request.schemas.empty()) throw UsageError("missing required argument schema name");
    for (const auto& schema : request.schemas) check_identifier("schema name", schema);
    if (request.owner) check_identifier("owner", *request.owner);
}

struct Existing {
    std::string owner;
    std::optional<std::string> comment;
};

constexpr ObjectKind schema_kind{
    "schema", "42P06",
    "Use --if-not-exists to accept an existing schema and bring it to the owner and comment "
    "asked for."};

/// One schema asked for, in the create-or-converge flow.
class Schema final : public CatalogObject<Existing> {
public:
    Schema(const Request& request, const std::string& name)
        : CatalogObject(schema_kind, name), request_(request) {}

    std::optional<Existing> read(Session& session) override {
        const Result row = session.query(
            "SELECT pg_catalog.pg_get_userbyid(n.nspowner),"
            " pg_catalog.obj_description(n.oid, 'pg_namespace')"
            " FROM pg_catalog.pg_namespace n WHERE n.nspname = $1",
            {name()});
        if (row.rows() == 0) return std::nullopt;
        return Existing{std::string(row.text(0, 0)), row.value(0, 1)};
    }

    void create(Session& session) override {
        std::vector<Statement> statements = {Statement::plain(
            "CREATE SCHEMA " + session.quote_ident(name()) +
            (request_.owner ? " AUTHORIZATION " + session.quote_ident(*request_.owner) : ""))};
        if (request_.comment) statements.push_back(comment_statement(session));
        session.execute(statements);
    }

    Plan plan(Session& session) override {
        Plan plan;
        const Existing& existing = this->existing();
        if (request_.owner && *request_.owner != existing.owner) {
            plan.add(fmt::format("owner \"{}\" -> \"{}\"", existing.owner, *request_.owner),
                     Statement::plain(fmt::format("ALTER SCHEMA {} OWNER TO {}",
                                                  session.quote_ident(name()),
                                                  session.quote_ident(*request_.owner))));
        }
        if (request_.comment && *request_.comment != existing.comment.value_or("")) {
            plan.add("comment", comment_statement(session));
        }
        return plan;
    }

private:
    Statement comment_statement(const Session& session) const {
        return Statement::plain(fmt::format("COMMENT ON SCHEMA {} IS {}",
                                            session.quote_ident(name()),
                                            session.quote_literal(*request_.comment)));
    }

    const Request& request_;
};

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-createschema",
               .purpose = "pg-createschema creates schemas in a PostgreSQL database.",
               .usage = {"pg-createschema [OPTION]... SCHEMA..."},
               .closing = "The schemas are made in the database of -d (default: PGDATABASE, "
                          "else the user name),\none after the other. With --if-not-exists, an "
                          "existing schema is brought to the owner and\ncomment asked for.",
               .database_option = DatabaseOption::dbname});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("-O,--owner", request.owner, "role to own the schemas (AUTHORIZATION)")
        ->type_name("OWNER");
    tool.allow_empty(
        app.add_option("--comment", request.comment, "comment on each schema (COMMENT ON SCHEMA)")
            ->type_name("TEXT"));
    app.add_flag("--if-not-exists", request.if_not_exists,
                 "accept an existing schema and converge it");
    app.add_option("schemas", request.schemas)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        Session session =
            tool.connector().connect(tool.connection_options().dbname.value_or(""));
        std::vector<std::unique_ptr<Schema>> schemas;
        std::vector<Convergeable*> objects;
        for (const auto& name : request.schemas) {
            schemas.push_back(std::make_unique<Schema>(request, name));
            objects.push_back(schemas.back().get());
        }
        return create_or_converge_each(session, objects, request.if_not_exists, "schemas");
    });
}
