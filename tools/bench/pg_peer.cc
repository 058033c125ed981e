#include "tools/bench/pg_peer.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "tools/bench/workload_file.h"

namespace docket::bench {
namespace {

constexpr int kPort = 54329;

std::string PgBin() {
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    const auto bin = entry.path() / "bin";
    if (std::filesystem::exists(bin / "initdb")) return bin.string();
  }
  return "";
}

int Sh(const std::string& command) { return std::system(command.c_str()); }

// Runs `command` as the postgres user when we are root (the server refuses
// to run as root).
std::string AsServerUser(const std::string& command) {
  return getuid() == 0 ? absl::StrCat("/usr/sbin/runuser -u postgres -- ", command) : command;
}

bool Ok(PGresult* r) {
  const ExecStatusType s = PQresultStatus(r);
  const bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  PQclear(r);
  return ok;
}

}  // namespace

Results PostgresPeer(const std::string& workload, size_t commands) {
  const std::string bin = PgBin();
  if (bin.empty()) {
    std::cerr << "docket_bench: PostgreSQL is not installed (scripts/setup.sh installs it)\n";
    return {{"postgres_failed", 1}};
  }
  // A short path under /tmp: the server's user must reach it, and a Unix
  // socket path has at most 107 bytes.
  char templ[] = "/tmp/docket-pg-XXXXXX";
  if (mkdtemp(templ) == nullptr) return {{"postgres_failed", 1}};
  const std::string dir = templ;
  if (getuid() == 0) Sh(absl::StrCat("chown postgres '", dir, "'"));
  const std::string data = dir + "/data";
  if (Sh(AsServerUser(absl::StrCat(bin, "/initdb -D '", data, "' -A trust -U bench --no-sync > '",
                                   dir, "/initdb.log' 2>&1"))) != 0 ||
      Sh(AsServerUser(absl::StrCat(bin, "/pg_ctl -D '", data, "' -l '", dir,
                                   "/server.log' -w -o \"-c listen_addresses='' -k ", dir, " -p ",
                                   kPort, " -c fsync=on -c synchronous_commit=on\" start",
                                   " > /dev/null"))) != 0) {
    std::cerr << "docket_bench: could not start PostgreSQL; see " << dir << "\n";
    return {{"postgres_failed", 1}};
  }
  Results result;
  PGconn* conn = PQconnectdb(
      absl::StrCat("host=", dir, " port=", kPort, " user=bench dbname=postgres").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::cerr << "docket_bench: " << PQerrorMessage(conn);
    result["postgres_failed"] = 1;
  } else {
    bool ok =
        Ok(PQexec(conn,
                  "CREATE TABLE cases (id text PRIMARY KEY, revision bigint NOT NULL, "
                  "  stage int NOT NULL, body bytea NOT NULL);"
                  "CREATE TABLE events (case_id text NOT NULL, revision bigint NOT NULL, "
                  "  kind int NOT NULL, body bytea NOT NULL, PRIMARY KEY (case_id, revision));"));
    ok &= Ok(PQprepare(conn, "check", "SELECT revision, stage FROM cases WHERE id = $1 FOR UPDATE",
                       1, nullptr));
    ok &= Ok(PQprepare(conn, "open", "INSERT INTO cases VALUES ($1, 1, 1, $2)", 2, nullptr));
    ok &= Ok(
        PQprepare(conn, "advance",
                  "UPDATE cases SET revision = revision + 1, stage = $2, body = $3 WHERE id = $1",
                  3, nullptr));
    ok &= Ok(PQprepare(conn, "event", "INSERT INTO events VALUES ($1, $2, $3, $4)", 4, nullptr));
    WorkloadReader reader(workload);
    size_t applied = 0;
    const auto start = std::chrono::steady_clock::now();
    for (auto group = reader.Next(512); ok && !group.empty() && applied < commands;
         group = reader.Next(512)) {
      ok &= Ok(PQexec(conn, "BEGIN"));
      for (const v1::Command& c : group) {
        const std::string body = c.SerializeAsString();
        const char* id = c.case_id().c_str();
        PGresult* row = PQexecPrepared(conn, "check", 1, &id, nullptr, nullptr, 0);
        const bool exists = PQntuples(row) == 1;
        const long long revision = exists ? std::atoll(PQgetvalue(row, 0, 0)) : 0;
        PQclear(row);
        const bool opens = c.has_open_case();
        if (exists == opens) continue;  // The ticket desk's only rule: refused.
        const std::string stage = std::to_string(static_cast<int>(c.body_case()));
        const std::string next = std::to_string(revision + 1);
        if (opens) {
          const char* p[] = {id, body.data()};
          const int len[] = {0, static_cast<int>(body.size())};
          const int fmt[] = {0, 1};
          ok &= Ok(PQexecPrepared(conn, "open", 2, p, len, fmt, 0));
        } else {
          const char* p[] = {id, stage.c_str(), body.data()};
          const int len[] = {0, 0, static_cast<int>(body.size())};
          const int fmt[] = {0, 0, 1};
          ok &= Ok(PQexecPrepared(conn, "advance", 3, p, len, fmt, 0));
        }
        const char* p[] = {id, next.c_str(), stage.c_str(), body.data()};
        const int len[] = {0, 0, 0, static_cast<int>(body.size())};
        const int fmt[] = {0, 0, 0, 1};
        ok &= Ok(PQexecPrepared(conn, "event", 4, p, len, fmt, 0));
      }
      ok &= Ok(PQexec(conn, "COMMIT"));
      applied += group.size();
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (ok) {
      result["postgres_commands"] = applied;
      result["postgres_commands_per_s"] = applied / s;
    } else {
      std::cerr << "docket_bench: PostgreSQL: " << PQerrorMessage(conn);
      result["postgres_failed"] = 1;
    }
  }
  PQfinish(conn);
  Sh(AsServerUser(absl::StrCat(bin, "/pg_ctl -D '", data, "' -m fast -w stop > /dev/null")));
  if (!result.contains("postgres_failed")) std::filesystem::remove_all(dir);
  return result;
}

}  // namespace docket::bench
