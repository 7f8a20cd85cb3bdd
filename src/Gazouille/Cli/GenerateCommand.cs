using Gazouille.Data;
using Gazouille.Data.Entities;
using Gazouille.Features.Generate;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Cli;

/// <summary>
/// <c>gazouille admin generate --users N [--follows-per-user F] [--posts P] [--teams T] [--partners K]</c>: a realistic
/// company for load tests in an empty data folder. Employees are user1…userN, password "password1234".
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Number of employees (user1…userN)", Required = true };
        var follows = new Option<int?>("--follows-per-user") { Description = "Accounts each employee follows (default: 100, or fewer than --users)" };
        var posts = new Option<int?>("--posts") { Description = "Number of posts, replies included (default: 50 per user)" };
        var teams = new Option<int?>("--teams") { Description = "Number of teams (default: one per 25 users)" };
        var partners = new Option<int?>("--partners") { Description = "Partner organizations, each with a few guests and grants (default: one per 10 teams)" };
        var seed = new Option<int>("--seed") { Description = "Random seed, for a reproducible data set", DefaultValueFactory = _ => 42 };
        var tokens = new Option<int>("--tokens") { Description = "Also mint bearer tokens for this many random employees (for load tests)" };
        var tokensFile = new Option<string?>("--tokens-file") { Description = "Where --tokens writes \"username token\" lines" };
        var cmd = new Command("generate", $"Fill an empty data folder with realistic users, teams, partners, follows and posts for load tests (password \"{DataGenerator.Password}\")")
        {
            users, follows, posts, teams, partners, seed, tokens, tokensFile,
        };
        cmd.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var n = r.GetValue(users);
            var o = new GenerateOptions(n, r.GetValue(follows) ?? Math.Clamp(n - 1, 0, 100), r.GetValue(posts) ?? (int)Math.Min(50L * n, GenerateOptions.MaxPosts),
                r.GetValue(teams) ?? Math.Max(1, n / 25), r.GetValue(partners) ?? Math.Max(1, Math.Max(1, n / 25) / 10), r.GetValue(seed),
                r.GetValue(tokens), r.GetValue(tokensFile));
            if (o.Validate() is { } error) throw new Hosting.UsageException(error);
            await using var sp = await CliHost.OpenAsync(r, ct);
            await using var scope = sp.CreateAsyncScope();
            var generator = new DataGenerator(scope.ServiceProvider.GetRequiredService<GazouilleDb>(),
                scope.ServiceProvider.GetRequiredService<IPasswordHasher<Account>>(), Console.Error);
            if (await generator.RunAsync(o, ct) is { } refused) return CliHost.Fail(refused);
            Console.WriteLine($"Generated {o.Users:N0} users (password \"{DataGenerator.Password}\"), {o.Teams:N0} teams, {o.Partners:N0} partner organizations, " +
                              $"{(long)o.Users * o.FollowsPerUser:N0} follows and {o.Posts:N0} posts.");
            return 0;
        }));
        return cmd;
    }
}
