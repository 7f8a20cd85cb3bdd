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
    public Task<HttpResponseMessage> SubmitAsync(string page, string action, params (string Name, string Value)[] fields) =>
        SendFormAsync(page, action, action, htmx: false, fields);

    /// <summary>The same, as htmx sends it (the server answers a fragment).</summary>
    public Task<HttpResponseMessage> SubmitWithHtmxAsync(string page, string action, params (string Name, string Value)[] fields) =>
        SendFormAsync(page, action, action, htmx: true, fields);

    /// <summary>
    /// Takes the hidden fields (antiforgery) of the form posting to <paramref name="formAction"/> on <paramref name="page"/>,
    /// adds <paramref name="fields"/> and posts them to <paramref name="target"/> — which differs when htmx sends a form
    /// elsewhere (the compose box's tips).
    /// </summary>
    public async Task<HttpResponseMessage> SendFormAsync(string page, string formAction, string target, bool htmx, params (string Name, string Value)[] fields)
    {
        var form = HtmlForms.HiddenFields(await PageAsync(page), formAction, page);
        form.RemoveAll(f => fields.Any(x => x.Name == f.Key));
        form.AddRange(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(form) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return await Http.SendAsync(request);
    }
}
