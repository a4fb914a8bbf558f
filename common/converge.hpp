#pragma once
/// The create-or-converge flow of the tools that make an object (pg-createdb, pg-createuser,
/// and the schema, extension and grant tools to come): create it; when it exists (or a
/// concurrent run creates it first), look again, compare what was asked with the catalog,
/// alter the difference in one transaction, and report created, altered or unchanged. A tool
/// states only what differs: its catalog lookup, its comparison and its statements.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/session.hpp"
#include "common/tool.hpp"

namespace pgkit {

/// What a run did to its object, in the words of text and JSON reports alike.
enum class Action { created, altered, unchanged, dropped, absent };

/// "created", "altered", "unchanged", "dropped", "absent": JSON's `action`.
std::string_view action_name(Action action);

/// What converging an existing object takes: each change for people (`owner "a" -> "b"`),
/// and the statements that make them, sent as one message (one transaction).
struct Plan {
    std::vector<std::string> changes;
    std::vector<Statement> statements;

    void add(std::string change, Statement statement);
    bool empty() const { return statements.empty(); }
};

/// What the flow says of an object kind: "database", "role" (the word in messages and the
/// JSON key of the name), the SQLSTATE and hint of "already exists" without --if-not-exists.
struct ObjectKind {
    std::string_view word;
    std::string_view duplicate_sqlstate;
    std::string_view if_not_exists_hint;
};

/// An object a tool creates or converges: what differs from one tool to the next.
class Convergeable {
public:
    Convergeable(ObjectKind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
    Convergeable(const Convergeable&) = delete;
    Convergeable& operator=(const Convergeable&) = delete;
    virtual ~Convergeable() = default;

    const ObjectKind& kind() const { return kind_; }
    const std::string& name() const { return name_; }

    /// Reads the object from the catalog, and keeps what plan() needs; false when absent.
    virtual bool look_up(Session& session) = 0;
    /// Creates the object. A duplicate-object or unique-violation SqlError means a concurrent
    /// run created it first; other errors end the run.
    virtual void create(Session& session) = 0;
    /// What to alter, from what the last look_up() read (called only after it found the
    /// object); throws Error (exit 5) for a difference that cannot be altered in place.
    virtual Plan plan(Session& session) = 0;
    /// What a tool adds to the report of its object, in text and JSON alike (the extensions
    /// CREATE EXTENSION ... CASCADE brought); nothing by default.
    virtual void add_to_report(Outcome& /*outcome*/, Action /*action*/) const {}

private:
    ObjectKind kind_;
    std::string name_;
};

/// A Convergeable that keeps its catalog row: a tool says how to read it (read()) and
/// plans from existing().
template <typename Row>
class CatalogObject : public Convergeable {
public:
    using Convergeable::Convergeable;

    bool look_up(Session& session) final {
        existing_ = read(session);
        return existing_.has_value();
    }

protected:
    /// The object's row in the catalog; nothing when it does not exist.
    virtual std::optional<Row> read(Session& session) = 0;
    /// What the last look_up() read (plan() is called only once it found the object).
    const Row& existing() const { return existing_.value(); }

private:
    std::optional<Row> existing_;
};

/// The result of the flow.
struct Converged {
    Action action = Action::unchanged;
    std::vector<std::string> changes;
};

/// Creates `object`, or, when it exists, converges it with --if-not-exists and refuses it
/// (exit 5) without. Without --if-not-exists (and without --dry-run) the CREATE is sent
/// without a lookup first, so that the server's checks decide, in its order. A concurrent change between the lookup and the alteration (a lost race
/// on the catalog) is settled by looking again, a few times.
Converged create_or_converge(Session& session, Convergeable& object, bool if_not_exists);

/// The contract's report of one object: `created database "app"` (or `would create` with
/// --dry-run), `altered role "app": +createdb, comment`, `database "app" already exists`;
/// JSON: the name under `kind`, `action`, `changes`, `dry_run` and the `statements` sent.
Outcome report(const Session& session, const Convergeable& object, const Converged& converged);

/// Creates or converges several objects of one kind, one after the other on one session,
/// each in its own transaction, stopping at the first that fails: those before it stay as
/// they are now, and the error's JSON lists them under `plural`. The report has a line per
/// object; its JSON has `plural` ("schemas"), an array of each object's document as report()
/// makes it (with the statements sent for that object), `dry_run`, and every `statements`.
Outcome create_or_converge_each(Session& session, const std::vector<Convergeable*>& objects,
                                bool if_not_exists, std::string_view plural);

}  // namespace pgkit
