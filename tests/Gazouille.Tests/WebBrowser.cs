using System.Net;
using Gazouille.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

/// <summary>A browser without JavaScript: cookies, forms with their antiforgery fields, pages as HTML.</summary>
public sealed class WebBrowser(HttpClient http)
{
    public HttpClient Http { get; } = http;

    /// <summary>Signs in through the sign-in page; the account's language is set first, as the reader chose it.</summary>
    public static async Task<WebBrowser> SignInAsync(GazouilleFactory f, string username, string language = "en")
    {
        await f.WithScopeAsync<object?>(async sp =>
        {
            await sp.GetRequiredService<GazouilleDb>().Users.Where(a => a.UserName == username).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, language));
            return null;
        });
        var browser = Anonymous(f, language);
        var answer = await browser.SubmitAsync("/auth/sign_in", "/auth/sign_in", ("login", username), ("password", "correct horse battery"));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return browser;
    }

    public static WebBrowser Anonymous(GazouilleFactory f, string language = "en")
    {
        var client = new HttpClient(new CookieJar(f.Server.CreateHandler())) { BaseAddress = new Uri("http://localhost/") };
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return new WebBrowser(client);
    }

    public async Task<string> PageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var answer = await Http.GetAsync(url);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == expected, $"GET {url}: {(int)answer.StatusCode}\n{html[..Math.Min(html.Length, 1500)]}");
        return html;
    }

    /// <summary>Opens <paramref name="page"/>, fills the form posting to <paramref name="action"/> and submits it, as a person would.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, params (string Name, string Value)[] fields)
    {
        var html = await PageAsync(page);
        var form = HtmlForms.HiddenFields(html, action, page);
        form.RemoveAll(f => fields.Any(x => x.Name == f.Key));
        form.AddRange(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        return await Http.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>The same, as htmx sends it (the server answers a fragment).</summary>
    public async Task<HttpResponseMessage> SubmitWithHtmxAsync(string page, string action, params (string Name, string Value)[] fields)
    {
        var html = await PageAsync(page);
        var form = HtmlForms.HiddenFields(html, action, page);
        form.RemoveAll(f => fields.Any(x => x.Name == f.Key));
        form.AddRange(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("HX-Request", "true");
        return await Http.SendAsync(request);
    }
}
