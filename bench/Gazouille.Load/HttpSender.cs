using System.Net.Http.Headers;
using System.Text;

namespace Gazouille.Load;

/// <summary>Sends a scenario's requests over keep-alive connections (at most one per lane) and reads every answer to
/// its end. Tokens rotate over the tokens file per request, like bench/load/rotation.lua; with
/// <paramref name="perLane"/> each lane is one person: its own token, audience and texts in order (someone typing).</summary>
public sealed class HttpSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly Scenario _scenario;
    private readonly string[] _tokens;
    private readonly bool _perLane;
    private readonly TimeSpan _timeout;
    private readonly (string Name, string Value)[] _headers;
    private long _sequence;

    public HttpSender(Uri baseUrl, Scenario scenario, string[] tokens, int connections, bool perLane, TimeSpan timeout, IEnumerable<string>? headers = null)
    {
        _headers = (headers ?? []).Select(h => h.Split(':', 2)).Select(p => p.Length == 2 && p[0].Trim().Length > 0
            ? (p[0].Trim(), p[1].Trim()) : throw new ArgumentException($"A header is 'Name: value', not '{string.Join(':', p)}'.")).ToArray();
        if (!scenario.Anonymous && tokens.Length == 0) throw new ArgumentException($"The scenario '{scenario.Name}' needs tokens (--tokens).");
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        _scenario = scenario;
        _tokens = tokens;
        _perLane = perLane;
        _timeout = timeout;
    }

    /// <summary>Tokens from a file of "username token" lines (what <c>gazouille admin generate --tokens-file</c> writes):
    /// the last word of each non-empty line.</summary>
    public static string[] ReadTokens(string? path) => path is null ? [] :
        File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => l[(l.LastIndexOf(' ') + 1)..]).ToArray();

    public async Task<Outcome> SendAsync(int lane, long index, CancellationToken ct)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var rotation = _perLane ? index + lane * 3L : sequence;
        var (path, body) = _scenario.Render(_perLane ? rotation : sequence, sequence);
        using var request = new HttpRequestMessage(_scenario.Method, path);
        if (!_scenario.Anonymous) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[(_perLane ? lane : sequence) % _tokens.Length]);
        foreach (var (name, value) in _headers) request.Headers.TryAddWithoutValidation(name, value);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await response.Content.CopyToAsync(Stream.Null, timeout.Token);
        return new Outcome((int)response.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
