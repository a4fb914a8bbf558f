#include "common/converge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.hpp"

namespace pgkit {

std::string_view action_name(Action action) {
    switch (action) {
        case Action::created:
            return "created";
        case Action::altered:
            return "altered";
        case Action::unchanged:
            return "unchanged";
        case Action::dropped:
            return "dropped";
        case Action::absent:
            return "absent";
    }
    return "unchanged";
}

void Plan::add(std::string change, Statement statement) {
    changes.push_back(std::move(change));
    statements.push_back(std::move(statement));
}

namespace {

Error already_exists(const Convergeable& object) {
    return Error(Exit::conflict,
                 fmt::format("{} \"{}\" already exists", object.kind().word, object.name()), {},
                 std::string(object.kind().if_not_exists_hint),
                 std::string(object.kind().duplicate_sqlstate));
}

bool is_duplicate(const SqlError& error) {
    // The server's own check, or a concurrent creator that won the race to the catalog's
    // unique index.
    return error.is(SqlCondition::duplicate_object) || error.is(SqlCondition::unique_violation);
}

/// Alters an existing object into the state asked for; `looked_up`: the object's catalog row
/// was read just now.
Converged converge(Session& session, Convergeable& object, bool looked_up) {
    constexpr int attempts = 5;
    for (int attempt = 1;; ++attempt) {
        if (!looked_up && !object.look_up(session)) {
            throw Error(Exit::server, fmt::format("{} \"{}\" was dropped while being checked",
                                                  object.kind().word, object.name()));
        }
        looked_up = false;
        Plan plan = object.plan(session);
        if (plan.empty()) return {Action::unchanged, {}};
        try {
            session.execute(plan.statements);  // one message: one transaction
        } catch (const SqlError& error) {
            if (attempt < attempts && is_concurrent_catalog_change(error)) {
                continue;  // a concurrent run changed it first: look again
            }
            throw;
        }
        return {Action::altered, std::move(plan.changes)};
    }
}

}  // namespace

Converged create_or_converge(Session& session, Convergeable& object, bool if_not_exists) {
    // Without --if-not-exists the server's own checks come first, in its order, as with
    // createdb: a CREATE for a name that exists fails as a duplicate. A dry run sends no
    // CREATE, so it asks the catalog instead.
    const bool look_first = if_not_exists || session.options().dry_run;
    // A name the connection's encoding cannot carry is a bad value, refused before anything
    // is sent (exit 2), whichever way the run goes.
    session.quote_ident(object.name());
    if (look_first && object.look_up(session)) {
        if (!if_not_exists) throw already_exists(object);
        return converge(session, object, /*looked_up=*/true);
    }
    constexpr int attempts = 3;
    for (int attempt = 1;; ++attempt) {
        try {
            object.create(session);
            return {Action::created, {}};
        } catch (const SqlError& error) {
            if (!is_duplicate(error)) throw;
            // A concurrent run was first, or made something this one needs (the extension a
            // CASCADE brings) while the object itself is still missing: then try again.
            if (object.look_up(session)) {
                if (!if_not_exists) throw already_exists(object);
                return converge(session, object, /*looked_up=*/true);
            }
            if (attempt == attempts) throw;
        }
    }
}

namespace {

Outcome report_with(const Session& session, const Convergeable& object, const Converged& converged,
                    const std::vector<std::string>& statements) {
    const bool dry_run = session.options().dry_run;
    const std::string quoted = fmt::format("\"{}\"", object.name());
    Outcome outcome;
    switch (converged.action) {
        case Action::created:
            outcome.text = fmt::format("{} {} {}", dry_run ? "would create" : "created",
                                       object.kind().word, quoted);
            break;
        case Action::altered:
            outcome.text = fmt::format("{} {} {}: {}", dry_run ? "would alter" : "altered",
                                       object.kind().word, quoted,
                                       fmt::join(converged.changes, ", "));
            break;
        case Action::dropped:
            outcome.text = fmt::format("{} {} {}", dry_run ? "would drop" : "dropped",
                                       object.kind().word, quoted);
            break;
        case Action::absent:
            outcome.text = fmt::format("{} {} does not exist", object.kind().word, quoted);
            break;
        case Action::unchanged:
            outcome.text = fmt::format("{} {} already exists", object.kind().word, quoted);
            break;
    }
    outcome.json = {{std::string(object.kind().word), object.name()},
                    {"action", action_name(converged.action)},
                    {"changes", converged.changes},
                    {"dry_run", dry_run},
                    {"statements", statements}};
    object.add_to_report(outcome, converged.action);
    return outcome;
}

}  // namespace

Outcome report(const Session& session, const Convergeable& object, const Converged& converged) {
    return report_with(session, object, converged, session.changes());
}

Outcome create_or_converge_each(Session& session, const std::vector<Convergeable*>& objects,
                                bool if_not_exists, std::string_view plural) {
    Outcome outcome;
    nlohmann::json documents = nlohmann::json::array();
    // A dry run holds every object in one transaction, so that each sees what the ones before
    // it would have done (a schema, an extension another one requires).
    session.begin_dry_run_transaction();
    for (Convergeable* object : objects) {
        const std::size_t before = session.changes().size();
        Converged converged;
        try {
            converged = create_or_converge(session, *object, if_not_exists);
        } catch (Error& error) {
            session.end_dry_run_transaction();
            error.report()[std::string(plural)] = documents;
            error.report()["dry_run"] = session.options().dry_run;
            error.report()["statements"] = session.changes();
            error.done() = outcome.text;
            throw;
        } catch (...) {
            session.end_dry_run_transaction();
            throw;
        }
        const std::vector<std::string> statements(session.changes().begin() + static_cast<std::ptrdiff_t>(before),
                                                  session.changes().end());
        Outcome one = report_with(session, *object, converged, statements);
        one.json.erase("dry_run");
        outcome.text += (outcome.text.empty() ? "" : "\n") + one.text;
        documents.push_back(std::move(one.json));
    }
    session.end_dry_run_transaction();
    outcome.json = {{std::string(plural), std::move(documents)},
                    {"dry_run", session.options().dry_run},
                    {"statements", session.changes()}};
    return outcome;
}

}  // namespace pgkit
