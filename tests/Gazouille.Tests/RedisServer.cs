using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gazouille.Tests;

/// <summary>
/// A throw-away redis-server from Debian (scripts/test.sh installs it) on 127.0.0.1, a free port and a temp folder,
/// without persistence; killed on dispose. Fails with a sentence saying what to install when it is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    private RedisServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>Starts a server; on <paramref name="port"/> when given (to bring back one that was stopped).</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is missing: install it (apt-get install -y redis-server) or run scripts/test.sh, which does.");
        port ??= FreePort();
        var dir = Path.Combine(Path.GetTempPath(), "gazouille-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
        };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir,
                     "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, dir, port.Value);
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port.Value);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        await server.DisposeAsync();
        throw new InvalidOperationException("redis-server did not listen within 10 seconds");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
