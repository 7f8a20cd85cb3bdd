using Gazouille.Data.Entities;
using Microsoft.Extensions.Options;

namespace Gazouille.Hosting;

/// <summary>Absolute URLs as the reader reaches the instance: the configured base URL, or the request's own.</summary>
public sealed class InstanceUrls(IHttpContextAccessor http, IOptions<GazouilleSettings> settings)
{
    public string Base
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(settings.Value.Instance.BaseUrl)) return settings.Value.Instance.BaseUrl.TrimEnd('/');
            var request = http.HttpContext?.Request;
            return request is null ? "http://127.0.0.1:5080" : $"{request.Scheme}://{request.Host}{request.PathBase}";
        }
    }

    public string Host => new Uri(Base).Authority;

    public string Profile(string username) => $"{Base}/@{username}";
    public string Status(string username, long id) => $"{Base}/@{username}/{id}";
    public string Team(string handle) => $"{Base}/teams/{handle}";
    public string Avatar(Account a) => a.AvatarFile is null ? $"{Base}/avatars/missing.png" : $"{Base}/media/avatars/{a.AvatarFile}";
    public string MissingHeader => $"{Base}/headers/missing.png";
}
