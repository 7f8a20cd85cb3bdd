using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gazouille.Tests;

/// <summary>
/// The real <c>gazouille serve</c> as a child process on 127.0.0.1 and a free port, on test data (its folder, and its
/// database when not SQLite). <see cref="KillAsync"/> sends SIGKILL, as a power cut or the OOM killer would; dispose
/// kills whatever is still running. Its output is kept for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    public Uri BaseAddress { get; }

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>What the server wrote so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<ServerProcess> StartAsync(TestData data, int? port = null, params string[] extraArguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gazouille.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var address = new Uri($"http://127.0.0.1:{(port ?? FreePort()).ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", "--urls", address.ToString().TrimEnd('/') }.Concat(data.CliArguments).Concat(extraArguments))
            start.ArgumentList.Add(a);
        // Load from a test, not from people: the per-user limits would answer 429 long before anything interesting happens.
        start.Environment["Gazouille__RateLimits__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("gazouille serve did not start");
        var server = new ServerProcess(process, address);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(180); // a cold start on a machine at load 50 took over 60 s
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"gazouille serve exited with code {process.ExitCode}: {server.Output}");
            try
            {
                if ((await probe.GetAsync("/health/live")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"gazouille serve did not answer within 180 seconds: {server.Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, no finally block runs in the server.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
