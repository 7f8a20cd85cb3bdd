using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Generate;

public sealed record GenerateOptions(int Users, int FollowsPerUser, int Posts, int Teams, int Partners, int Seed, int Tokens, string? TokensFile)
{
    public const int MaxUsers = 1_000_000;
    public const int MaxFollowsPerUser = 5_000;
    public const int MaxPosts = 50_000_000;
    public const int MaxTeams = 10_000;
    public const int MaxPartners = 1_000;
    public const int MaxTokens = 100_000;
    public const int GuestsPerPartner = 3;

    /// <summary>The reason the options cannot be used, or null.</summary>
    public string? Validate()
    {
        if (Users is < 1 or > MaxUsers) return $"--users must be between 1 and {MaxUsers:N0}.";
        if (FollowsPerUser < 0 || FollowsPerUser > Math.Min(MaxFollowsPerUser, Users - 1))
            return $"--follows-per-user must be between 0 and {Math.Min(MaxFollowsPerUser, Users - 1):N0} (fewer than --users, at most {MaxFollowsPerUser:N0}).";
        if (Posts is < 0 or > MaxPosts) return $"--posts must be between 0 and {MaxPosts:N0}.";
        if (Teams < 0 || Teams > Math.Min(MaxTeams, Users)) return $"--teams must be between 0 and {Math.Min(MaxTeams, Users):N0} (at most one team per user).";
        if (Partners is < 0 or > MaxPartners) return $"--partners must be between 0 and {MaxPartners:N0}.";
        if (Partners > 0 && Teams == 0) return "--partners needs at least one team to grant (--teams 1 or more).";
        if (Tokens < 0 || Tokens > Math.Min(MaxTokens, Users)) return $"--tokens must be between 0 and {Math.Min(MaxTokens, Users):N0} (at most one per user).";
        if (Tokens > 0 && string.IsNullOrWhiteSpace(TokensFile)) return "--tokens needs --tokens-file FILE to write the tokens to.";
        return null;
    }
}

/// <summary>
/// <c>admin generate</c>: a realistic company for load tests, written with raw ADO.NET on EF Core's connection
/// (prepared commands, large transactions) instead of change tracking. Employees are <c>user1</c>…<c>userN</c> with the
/// password <see cref="Password"/>; each partner organization gets a few guests <c>p{k}_guest{j}</c>.
/// </summary>
public sealed class DataGenerator(GazouilleDb db, IPasswordHasher<Account> hasher, TextWriter progress)
{
    public const string Password = "password1234";
    private const int CommitEvery = 100_000;

    private DbConnection _conn = null!;
    private DbTransaction? _tx;
    private bool _sqlite;
    private Random _rng = null!;

    public async Task<string?> RunAsync(GenerateOptions o, CancellationToken ct)
    {
        _rng = new Random(o.Seed);
        _sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            _conn = db.Database.GetDbConnection();
            var existing = Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", ct), System.Globalization.CultureInfo.InvariantCulture);
            if (existing > 0)
                return $"This data folder already has {existing:N0} account(s); admin generate only fills an empty one. Use a new --data folder.";
            if (_sqlite)
                await ExecAsync("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;", ct);
            var total = Stopwatch.StartNew();
            // Secondary indexes are dropped during the bulk insert and rebuilt from sorted data afterwards (much faster on SQLite).
            var indexes = _sqlite ? await DropIndexesAsync(ct) : [];
            try
            {
                Generate(o);
            }
            finally
            {
                if (_tx is not null) Commit();
                var sw = Stopwatch.StartNew();
                foreach (var sql in indexes) await ExecAsync(sql, CancellationToken.None);
                if (indexes.Count > 0) Report("indexes", $"{indexes.Count} rebuilt in {sw.Elapsed.TotalSeconds:F1} s");
            }
            // On PostgreSQL too: autovacuum would analyze the new rows only later, and until then the planner guesses.
            Report("analyze", "updating the query planner's statistics…");
            await ExecAsync(_sqlite
                ? "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA analysis_limit=1000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);"
                : "ANALYZE", ct);
            Report("done", $"in {total.Elapsed.TotalSeconds:F1} s");
            return null;
        }
        finally
        {
            // Its connection ran with other settings (synchronous=OFF, no foreign keys): they are applied again on the next open.
            SqlitePragmas.Forget(db.Database.GetDbConnection());
            await db.Database.CloseConnectionAsync();
        }
    }

    private void Generate(GenerateOptions o)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-180);
        var texts = new PostTexts(o.Seed);
        var n = o.Users;

        // People: user1 is an admin, user2 a moderator; two thirds write in French.
        var frNames = PostTexts.Names(o.Seed, Math.Min(n, 5000), "fr");
        var enNames = PostTexts.Names(o.Seed + 1, Math.Min(n, 5000), "en");
        var userIds = new long[n];
        var french = new bool[n];
        var hash = hasher.HashPassword(null!, Password);
        var at = start.AddDays(-10);
        Begin();
        using (var ins = Insert("AspNetUsers", "Id", "DisplayName", "Bio", "Role", "PartnerOrgId", "Language", "DefaultAudience", "Official", "Suspended",
                   "CreatedAt", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash", "SecurityStamp",
                   "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount"))
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                french[i] = _rng.Next(3) != 0;
                var name = french[i] ? frNames[_rng.Next(frNames.Length)] : enNames[_rng.Next(enNames.Length)];
                var user = $"user{i + 1}";
                var email = $"{user}@gazouille.example";
                userIds[i] = Snowflake.NewId(at);
                AddUser(ins, userIds[i], name, i switch { 0 => AccountRole.Admin, 1 => AccountRole.Moderator, _ => AccountRole.Employee }, null,
                    french[i] ? "fr" : "en", "company", user, email, hash, at);
                Tick("users", i + 1, n, sw);
            }
        }
        Commit();

        // Teams: every employee in one team, one in ten in a second one; members follow their team's channel.
        var teamIds = new long[o.Teams];
        var teamOf = new int[n];
        var membersOf = new List<int>[o.Teams];
        var deps = PostTexts.Departments(o.Seed, Math.Max(1, o.Teams));
        Begin();
        using (var teams = Insert("Teams", "Id", "Handle", "Name", "Description", "CreatedAt"))
        using (var members = Insert("TeamMembers", "TeamId", "AccountId", "IsLead", "JoinedAt"))
        using (var follows = Insert("TeamFollows", "TeamId", "AccountId", "CreatedAt"))
        {
            at = start.AddDays(-9);
            for (var t = 0; t < o.Teams; t++)
            {
                teamIds[t] = Snowflake.NewId(at);
                membersOf[t] = [];
                var dep = deps[t];
                var handle = $"{Slug(dep)}-{t + 1}";
                teams.Run(teamIds[t], handle, $"{dep} {t + 1}", $"L'équipe {dep} ({t + 1}) : projets, entraide et annonces.", at);
            }
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n && o.Teams > 0; i++)
            {
                var first = _rng.Next(o.Teams);
                teamOf[i] = first;
                AddMember(members, follows, teamIds[first], userIds[i], membersOf[first].Count == 0, at);
                membersOf[first].Add(i);
                if (o.Teams > 1 && _rng.Next(10) == 0)
                {
                    var second = (first + 1 + _rng.Next(o.Teams - 1)) % o.Teams;
                    AddMember(members, follows, teamIds[second], userIds[i], false, at);
                    membersOf[second].Add(i);
                }
                Tick("teams", i + 1, n, sw);
            }
        }
        Commit();

        // Partner organizations: each granted one or two teams' partner channels, with a few guests following them.
        var companies = PostTexts.Companies(o.Seed, Math.Max(1, o.Partners));
        var grantsOfTeam = new List<long>[o.Teams];
        for (var t = 0; t < o.Teams; t++) grantsOfTeam[t] = [];
        Begin();
        using (var orgs = Insert("PartnerOrgs", "Id", "Handle", "Name", "Domains", "Verified", "CreatedAt"))
        using (var grants = Insert("PartnerGrants", "Id", "TeamId", "PartnerOrgId", "Rights", "GrantedAt", "GrantedById"))
        using (var users = Insert("AspNetUsers", "Id", "DisplayName", "Bio", "Role", "PartnerOrgId", "Language", "DefaultAudience", "Official", "Suspended",
                   "CreatedAt", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash", "SecurityStamp",
                   "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount"))
        using (var follows = Insert("TeamFollows", "TeamId", "AccountId", "CreatedAt"))
        {
            at = start.AddDays(-8);
            for (var k = 0; k < o.Partners; k++)
            {
                var orgId = Snowflake.NewId(at);
                var handle = $"p{k + 1}-{Slug(companies[k])}";
                if (handle.Length > 64) handle = handle[..64].TrimEnd('-');
                var domain = $"p{k + 1}.partner.example";
                orgs.Run(orgId, handle, companies[k], domain, true, at);
                var granted = new HashSet<int> { _rng.Next(o.Teams) };
                if (o.Teams > 1 && _rng.Next(2) == 0) granted.Add(_rng.Next(o.Teams));
                foreach (var t in granted)
                {
                    grants.Run(Snowflake.NewId(at), teamIds[t], orgId, (int)GrantRights.ReadAndReply, at, userIds[0]);
                    grantsOfTeam[t].Add(orgId);
                }
                for (var j = 1; j <= GenerateOptions.GuestsPerPartner; j++)
                {
                    var user = $"p{k + 1}_guest{j}";
                    var guestId = Snowflake.NewId(at);
                    AddUser(users, guestId, enNames[_rng.Next(enNames.Length)], AccountRole.Employee, orgId, "en", "direct", user, $"{user}@{domain}", hash, at);
                    foreach (var t in granted) follows.Run(teamIds[t], guestId, at);
                }
            }
            if (o.Partners > 0) Report("partners", $"{o.Partners:N0} organizations, {o.Partners * GenerateOptions.GuestsPerPartner:N0} guests");
        }
        Commit();

        // Follows: a power-law graph (a few people followed by almost everyone, most by a handful), a quarter among teammates.
        var popularity = new PowerLaw(n, 1.0, _rng);
        Begin();
        var following = new HashSet<int>[n];
        using (var ins = Insert("Follows", "Id", "FollowerId", "TargetId", "CreatedAt"))
        {
            at = start.AddDays(-7);
            var sw = Stopwatch.StartNew();
            long done = 0, total = (long)n * o.FollowsPerUser;
            var chosen = new List<int>(o.FollowsPerUser);
            for (var i = 0; i < n; i++)
            {
                var set = following[i] = new HashSet<int>(o.FollowsPerUser);
                chosen.Clear();
                var mates = o.Teams > 0 ? membersOf[teamOf[i]] : null;
                var attempts = 0;
                while (set.Count < o.FollowsPerUser)
                {
                    attempts++;
                    int target = attempts > o.FollowsPerUser * 20 ? _rng.Next(n)
                        : mates is { Count: > 1 } && _rng.Next(4) == 0 ? mates[_rng.Next(mates.Count)]
                        : popularity.Next();
                    if (target == i || !set.Add(target)) continue;
                    chosen.Add(target);
                }
                foreach (var target in chosen)
                {
                    ins.Run(Snowflake.NewId(at), userIds[i], userIds[target], at);
                    if (++done % CommitEvery == 0) Checkpoint();
                }
                Tick("follows", done, total, sw);
            }
        }
        Commit();

        // Posts: authors follow a power law too; audiences mostly company, team and followers; some replies, hashtags, favourites.
        var activity = new PowerLaw(n, 0.8, _rng);
        var lastStatus = new DateTimeOffset?[n];
        var recentCompany = new (long Id, long Thread, int Author)[4096];
        var recentCount = 0;
        Begin();
        using (var statuses = Insert("Statuses", "Id", "AccountId", "Text", "SpoilerText", "Sensitive", "Language", "AudienceKind", "AudienceTeamId",
                   "AudienceOwnerId", "Listed", "InReplyToId", "InReplyToAccountId", "ThreadId", "State", "CreatedAt", "EditCount"))
        using (var tags = Insert("StatusTags", "StatusId", "Name"))
        using (var mentions = Insert("StatusMentions", "StatusId", "AccountId"))
        using (var orgsOf = Insert("StatusAudienceOrgs", "StatusId", "PartnerOrgId"))
        using (var notes = Insert("Notifications", "Id", "AccountId", "FromAccountId", "Type", "StatusId", "CreatedAt"))
        using (var favs = Insert("Favourites", "Id", "AccountId", "StatusId", "CreatedAt"))
        {
            var span = DateTimeOffset.UtcNow.AddMinutes(-1) - start;
            var step = span.Ticks / Math.Max(1, o.Posts);
            var sw = Stopwatch.StartNew();
            long rows = 0, favourites = 0;
            var tagNames = new List<string>(2);
            for (var p = 0; p < o.Posts; p++)
            {
                at = start.AddTicks(step * p + (long)(_rng.NextDouble() * step * 0.9));
                var a = activity.Next();
                var id = Snowflake.NewId(at);
                long thread = id;
                long? replyTo = null, replyToAccount = null, teamId = null, ownerId = null;
                int? mentioned = null;
                var kind = AudienceKind.Company;
                string? prefix = null;
                var roll = _rng.Next(100);
                if (roll < 15 && recentCount > 0)
                {
                    var parent = recentCompany[_rng.Next(Math.Min(recentCount, recentCompany.Length))];
                    if (parent.Author != a)
                    {
                        replyTo = parent.Id;
                        replyToAccount = userIds[parent.Author];
                        thread = parent.Thread;
                        mentioned = parent.Author;
                        prefix = $"@user{parent.Author + 1}";
                    }
                }
                else if (roll < 35 && o.Teams > 0)
                {
                    teamId = teamIds[teamOf[a]];
                    kind = grantsOfTeam[teamOf[a]].Count > 0 && _rng.Next(5) == 0 ? AudienceKind.Partners : AudienceKind.Team;
                }
                else if (roll < 52) { kind = AudienceKind.Followers; ownerId = userIds[a]; }
                else if (roll < 57) kind = AudienceKind.Public;
                else if (roll < 60 && following[a].Count > 0)
                {
                    kind = AudienceKind.Direct;
                    mentioned = following[a].ElementAt(_rng.Next(following[a].Count));
                    prefix = $"@user{mentioned + 1}";
                }

                var text = texts.Next(french[a], prefix, tagNames);
                statuses.Run(id, userIds[a], text, "", false, french[a] ? "fr" : "en", (int)kind, teamId, ownerId, true,
                    replyTo, replyToAccount, thread, (int)StatusState.Published, at, 0);
                rows++;
                foreach (var tag in tagNames) { tags.Run(id, tag); rows++; }
                if (mentioned is { } m)
                {
                    mentions.Run(id, userIds[m]);
                    notes.Run(Snowflake.NewId(at), userIds[m], userIds[a], "mention", id, at);
                    rows += 2;
                }
                if (kind == AudienceKind.Partners && _rng.Next(3) == 0)
                {
                    var grantsHere = grantsOfTeam[teamOf[a]];
                    orgsOf.Run(id, grantsHere[_rng.Next(grantsHere.Count)]);
                    rows++;
                }
                if (kind is AudienceKind.Company or AudienceKind.Public)
                {
                    if (replyTo is null) recentCompany[recentCount++ % recentCompany.Length] = (id, thread, a);
                    // Favourites from colleagues, a few seconds later (ids stay in time order within the post's millisecond window).
                    if (_rng.Next(10) < 4)
                    {
                        var likers = _rng.Next(1, 5);
                        var seen = new HashSet<int>();
                        for (var l = 0; l < likers; l++)
                        {
                            var liker = popularity.Next();
                            if (liker == a || !seen.Add(liker)) continue;
                            favs.Run(Snowflake.NewId(at), userIds[liker], id, at);
                            rows++;
                            favourites++;
                        }
                    }
                }
                lastStatus[a] = at;
                if (p % 20_000 == 19_999) Checkpoint();
                Tick("posts", p + 1, o.Posts, sw, $"{rows / Math.Max(0.001, sw.Elapsed.TotalSeconds):N0} rows/s, {favourites:N0} favourites");
            }
        }
        Commit();

        Begin();
        using (var upd = Command("UPDATE \"AspNetUsers\" SET \"LastStatusAt\" = @p0 WHERE \"Id\" = @p1", 2))
            for (var i = 0; i < n; i++)
                if (lastStatus[i] is { } last) upd.Run(last, userIds[i]);
        Commit();

        if (o.Tokens > 0) WriteTokens(o, userIds);
    }

    /// <summary>Bearer tokens (scopes read write follow push) for a random sample of employees, one "username token" per line.</summary>
    private void WriteTokens(GenerateOptions o, long[] userIds)
    {
        var sample = Enumerable.Range(0, userIds.Length).OrderBy(_ => _rng.Next()).Take(o.Tokens).ToArray();
        var lines = new List<string>(sample.Length);
        Begin();
        using (var ins = Insert("PersonalAccessTokens", "Id", "AccountId", "TokenHash", "Scopes", "Name", "CreatedAt"))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var i in sample)
            {
                var token = PersonalAccessTokens.Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                ins.Run(Snowflake.NewId(), userIds[i], PersonalAccessTokens.Hash(token), "read write follow push", "admin generate", now);
                lines.Add($"user{i + 1} {token}");
            }
        }
        Commit();
        var path = Path.GetFullPath(o.TokensFile!);
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        File.WriteAllLines(path, lines);
        Report("tokens", $"{lines.Count:N0} written to {path}");
    }

    private static void AddUser(Row ins, long id, string name, AccountRole role, long? org, string language, string audience, string user, string email, string hash, DateTimeOffset at) =>
        ins.Run(id, name, "", (int)role, org, language, audience, false, false, at, user, user.ToUpperInvariant(), email, email.ToUpperInvariant(), true, hash,
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), Guid.NewGuid().ToString(), false, false, true, 0);

    private static void AddMember(Row members, Row follows, long team, long account, bool lead, DateTimeOffset at)
    {
        members.Run(team, account, lead, at);
        follows.Run(team, account, at);
    }

    private static string Slug(string s)
    {
        var folded = new string(s.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark).ToArray()).ToLowerInvariant();
        var chars = folded.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "team" : slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }

    // ---- ADO.NET plumbing -------------------------------------------------------------------------------------

    private void Begin() => _tx = _conn.BeginTransaction();

    private void Commit()
    {
        _tx?.Commit();
        _tx?.Dispose();
        _tx = null;
    }

    /// <summary>Commits and starts a new transaction (commands keep their preparation and get the new transaction).</summary>
    private void Checkpoint()
    {
        Commit();
        Begin();
        foreach (var r in _open) r.Cmd.Transaction = _tx;
    }

    private readonly List<Row> _open = [];

    private Row Insert(string table, params string[] columns) =>
        Command($"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})", columns.Length);

    private Row Command(string sql, int parameters)
    {
        var cmd = _conn.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        var ps = new DbParameter[parameters];
        for (var i = 0; i < parameters; i++)
        {
            ps[i] = cmd.CreateParameter();
            ps[i].ParameterName = $"@p{i}";
            cmd.Parameters.Add(ps[i]);
        }
        var row = new Row(cmd, ps, this);
        _open.Add(row);
        return row;
    }

    private sealed class Row(DbCommand cmd, DbParameter[] ps, DataGenerator owner) : IDisposable
    {
        public DbCommand Cmd => cmd;
        private bool _prepared;

        public void Run(params object?[] values)
        {
            for (var i = 0; i < ps.Length; i++) ps[i].Value = values[i] ?? DBNull.Value;
            if (!_prepared)
            {
                cmd.Prepare();
                _prepared = true;
            }
            cmd.ExecuteNonQuery();
        }

        public void Dispose()
        {
            owner._open.Remove(this);
            cmd.Dispose();
        }
    }

    private static readonly string[] BulkTables = ["Statuses", "StatusTags", "StatusMentions", "Notifications", "Favourites", "Follows", "TeamMembers"];

    private async Task<List<string>> DropIndexesAsync(CancellationToken ct)
    {
        var sqls = new List<(string Name, string Sql)>();
        await using (var cmd = _conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({string.Join(", ", BulkTables.Select(t => $"'{t}'"))})";
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) sqls.Add((reader.GetString(0), reader.GetString(1)));
        }
        // Unique indexes stay: they guard the data as it is written.
        var dropped = sqls.Where(s => !s.Sql.StartsWith("CREATE UNIQUE", StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var (name, _) in dropped) await ExecAsync($"DROP INDEX \"{name}\"", ct);
        return dropped.Select(d => d.Sql).ToList();
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var cmd = _conn.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync(ct);
    }

    private async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var cmd = _conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    // ---- progress on stderr ------------------------------------------------------------------------------------

    private long _lastTick;

    private void Tick(string phase, long done, long total, Stopwatch sw, string? extra = null)
    {
        var now = sw.ElapsedMilliseconds;
        if (done != total && now - _lastTick < (Console.IsErrorRedirected ? 2000 : 200)) return;
        _lastTick = done == total ? 0 : now;
        var pct = total == 0 ? 100 : done * 100 / total;
        var bar = new string('#', (int)(pct / 5)).PadRight(20, '.');
        var rate = done / Math.Max(0.001, sw.Elapsed.TotalSeconds);
        var line = $"{phase,-8} [{bar}] {pct,3}% {done:N0}/{total:N0} ({rate:N0}/s{(extra is null ? "" : ", " + extra)})";
        if (Console.IsErrorRedirected || progress != Console.Error) progress.WriteLine(line);
        else progress.Write("\r" + line + (done == total ? "\n" : ""));
    }

    private void Report(string phase, string message) => progress.WriteLine($"{phase,-8} {message}");

    /// <summary>Draws indices 0..n-1 with probability proportional to 1/(rank+1)^alpha over a random ranking.</summary>
    private sealed class PowerLaw
    {
        private readonly double[] _cumulative;
        private readonly int[] _byRank;
        private readonly Random _rng;

        public PowerLaw(int n, double alpha, Random rng)
        {
            _rng = rng;
            _byRank = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
            _cumulative = new double[n];
            double sum = 0;
            for (var r = 0; r < n; r++) _cumulative[r] = sum += 1.0 / Math.Pow(r + 1, alpha);
        }

        public int Next()
        {
            var x = _rng.NextDouble() * _cumulative[^1];
            var r = Array.BinarySearch(_cumulative, x);
            if (r < 0) r = ~r;
            return _byRank[Math.Min(r, _byRank.Length - 1)];
        }
    }
}
