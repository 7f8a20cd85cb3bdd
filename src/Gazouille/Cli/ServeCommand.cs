using Gazouille.Features.Demo;
using Gazouille.Hosting;

namespace Gazouille.Cli;

public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var demo = new Option<bool>("--demo") { Description = "Seed a fictional company into an empty data folder" };
        var redis = new Option<string?>("--redis") { Description = "HOST:PORT of Redis for several nodes" };
        var command = new Command("serve", "Run the Gazouille server") { urls, demo, redis };
        command.SetAction((r, ct) => CliHost.RunAsync(async () =>
        {
            var data = CliHost.Location(r);
            var builder = GazouilleApp.CreateBuilder(data);
            if (r.GetValue(redis) is { } redisAddress)
            {
                if (string.IsNullOrWhiteSpace(redisAddress) || redisAddress.Any(char.IsWhiteSpace))
                    return CliHost.Fail("--redis takes HOST:PORT, for example --redis 127.0.0.1:6379.");
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gazouille:Redis"] = redisAddress });
            }
            builder.WebHost.UseUrls(r.GetValue(urls)!);
            var app = GazouilleApp.Build(builder);
            await data.MigrateAsync(app.Services, ct);
            if (r.GetValue(demo))
            {
                await using var scope = app.Services.CreateAsyncScope();
                var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(ct);
                Console.WriteLine(seeded
                    ? $"Demo company seeded: sign in as alice / {DemoSeeder.Password} (admin) or any demo user with the same password."
                    : "The data folder already holds data: --demo seeds only an empty instance, nothing was added.");
            }
            await app.RunAsync(ct);
            return 0;
        }));
        return command;
    }
}
