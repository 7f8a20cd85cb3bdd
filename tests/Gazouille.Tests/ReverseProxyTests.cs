using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// The nginx example of docs/operations.md (<c>docs/examples/nginx.conf</c>, the file itself, only its ports changed)
/// in front of two real <c>gazouille serve</c> nodes sharing one database and one Redis: the API through the proxy on
/// both nodes, a picture upload, an SSE stream and a WebSocket stream that get events at once (no buffering), and
/// the proxy still answering when one node is stopped. Needs Debian's nginx (scripts/test.sh installs nginx-light).
/// </summary>
public sealed class ReverseProxyTests
{
    [Fact]
    public async Task The_documented_nginx_example_serves_two_nodes_with_streams_uploads_and_a_node_down()
    {
        await using var data = await TestData.CreateAsync();
        await using var redis = await RedisServer.StartAsync();
        string aliceToken, bobToken;
        await using (var setup = await GazouilleFactory.StartAsync(data: data))
        {
            aliceToken = await setup.TokenAsync(await setup.CreateUserAsync("alice"));
            bobToken = await setup.TokenAsync(await setup.CreateUserAsync("bob"));
        }
        await using var a = await ServerProcess.StartAsync(data, null, "--redis", redis.Address);
        await using var b = await ServerProcess.StartAsync(data, null, "--redis", redis.Address);
        await using var nginx = await Nginx.StartAsync(a.BaseAddress, b.BaseAddress);

        using var alice = Client(nginx.BaseAddress, aliceToken);
        using var bob = Client(nginx.BaseAddress, bobToken);
        // Round robin: consecutive requests go to both nodes, and each accepts the token.
        for (var i = 0; i < 4; i++)
            Assert.Equal("alice", (await alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
        // The links Gazouille writes point back at the proxy, port included.
        var instance = await alice.GetOkAsync("/api/v2/instance");
        Assert.Equal($"ws://{nginx.BaseAddress.Authority}", instance.GetProperty("configuration").GetProperty("urls").Str("streaming"));

        // An upload through the proxy (client_max_body_size), served back through it.
        var file = new ByteArrayContent(AccountsApiTests.TinyPng);
        file.Headers.ContentType = new("image/png");
        var avatar = new Uri((await (await alice.PatchAsync("/api/v1/accounts/update_credentials", new MultipartFormDataContent { { file, "avatar", "me.png" } })).OkJsonAsync()).Str("avatar"));
        Assert.Equal(nginx.BaseAddress.Authority, avatar.Authority);
        Assert.Equal(AccountsApiTests.TinyPng, await alice.GetByteArrayAsync(avatar.PathAndQuery));

        // Streams through the proxy: an event must arrive at once, not when a buffer fills.
        using var streamClient = Client(nginx.BaseAddress, bobToken, Timeout.InfiniteTimeSpan);
        await using var sse = await SseStream.OpenAsync(streamClient, "/api/v1/streaming/company");
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://{nginx.BaseAddress.Authority}/api/v1/streaming?access_token={bobToken}&stream=company"), CancellationToken.None);
        await using var socket = new WsStream(ws);
        var clock = Stopwatch.StartNew();
        var posted = (await alice.PostStatusAsync("Through the proxy", "company")).Id();
        Assert.Equal(posted, (await sse.NextUpdateAsync(TimeSpan.FromSeconds(10))).Json.Id());
        var viaSse = clock.Elapsed;
        Assert.Equal(posted, (await socket.NextEventAsync(TimeSpan.FromSeconds(10))).Json.Id());
        Assert.True(viaSse < TimeSpan.FromSeconds(5), $"the SSE event took {viaSse.TotalMilliseconds:F0} ms through the proxy");

        // One node stopped: nginx sends the requests to the other (proxy_next_upstream), nobody notices.
        await a.KillAsync();
        for (var i = 0; i < 4; i++)
            Assert.Equal("bob", (await bob.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("username"));
        Assert.Equal("Through the proxy", (await bob.GetOkAsync($"/api/v1/statuses/{posted}")).Str("content").Replace("<p>", "").Replace("</p>", ""));
    }

    private static HttpClient Client(Uri baseAddress, string token, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>nginx in the foreground on 127.0.0.1 and a free port, in a temp folder, with the example included.</summary>
    private sealed class Nginx : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;
        public Uri BaseAddress { get; }

        private Nginx(Process process, string dir, Uri baseAddress) => (_process, _dir, BaseAddress) = (process, dir, baseAddress);

        public static async Task<Nginx> StartAsync(Uri nodeA, Uri nodeB)
        {
            var binary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException("nginx is missing: install it (apt-get install -y nginx-light) or run scripts/test.sh, which does.");
            var example = await File.ReadAllTextAsync(Path.Combine(TestData.RepositoryRoot, "docs", "examples", "nginx.conf"));
            var port = ServerProcess.FreePort();
            // The example's only machine-specific parts: where it listens and where the nodes are.
            var site = Replace(example, "listen 80;", $"listen 127.0.0.1:{port};");
            site = Replace(site, "server 127.0.0.1:8081 ", $"server {nodeA.Authority} ");
            site = Replace(site, "server 127.0.0.1:8082 ", $"server {nodeB.Authority} ");

            var dir = Path.Combine(Path.GetTempPath(), "gazouille-nginx-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            // Run as root (CI), nginx's workers drop to an unprivileged user that must write its temp folders.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
            await File.WriteAllTextAsync(Path.Combine(dir, "gazouille.conf"), site);
            await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
                daemon off;
                worker_processes 1;
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{dir}}/body;
                    proxy_temp_path {{dir}}/proxy;
                    fastcgi_temp_path {{dir}}/fastcgi;
                    uwsgi_temp_path {{dir}}/uwsgi;
                    scgi_temp_path {{dir}}/scgi;
                    include {{dir}}/gazouille.conf;
                }
                """);
            var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log") })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var nginx = new Nginx(process, dir, new Uri($"http://127.0.0.1:{port}"));
            for (var i = 0; i < 100; i++)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"nginx exited with code {process.ExitCode}: {await ReadLogAsync(dir)}");
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return nginx;
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }
            await nginx.DisposeAsync();
            throw new InvalidOperationException("nginx did not listen within 10 seconds");
        }

        private static string Replace(string text, string old, string replacement)
        {
            Assert.True(text.Contains(old, StringComparison.Ordinal), $"docs/examples/nginx.conf no longer contains '{old}'");
            return text.Replace(old, replacement, StringComparison.Ordinal);
        }

        private static async Task<string> ReadLogAsync(string dir)
        {
            var log = Path.Combine(dir, "error.log");
            return File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no error log)";
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
