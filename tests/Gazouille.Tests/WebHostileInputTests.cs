using System.Net;
using System.Text;
using Gazouille.Data.Entities;

namespace Gazouille.Tests;

/// <summary>
/// What the web fuzzer (WebFuzzTests) found, one request each, so a regression names itself: every answer is a clean 4xx.
/// </summary>
public sealed class WebHostileInputTests : IAsyncLifetime
{
    private GazouilleFactory _f = null!;
    private WebBrowser _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        await _f.CreateUserAsync("bob");
        await _f.CreateUserAsync("root", AccountRole.Admin);
        _admin = await WebBrowser.SignInAsync(_f, "root");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    private async Task<string> TokenAsync() =>
        HtmlForms.HiddenFields(await _admin.PageAsync("/settings/preferences")).First(f => f.Key == "__RequestVerificationToken").Value;

    private async Task<HttpResponseMessage> SendAsync(string method, string url, string? form)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (form is not null) request.Content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded");
        return await _admin.Http.SendAsync(request);
    }

    [Theory]
    [InlineData("/admin", "HandlerExecuting")]
    [InlineData("/admin/partners", "HandlerExecution")]
    [InlineData("/moderation", "HandlerExecuting")]
    public async Task The_verb_PAGE_does_not_run_a_pages_filter_override_as_a_handler(string page, string handler)
    {
        var answer = await SendAsync("PAGE", $"{page}?handler={handler}", "context=1&__RequestVerificationToken=" + Uri.EscapeDataString(await TokenAsync()));
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/@bob?handler=nothing")]
    [InlineData("POST", "/search")]
    public async Task A_handler_that_does_not_exist_is_not_found_rather_than_a_page_rendered_on_an_empty_model(string method, string url)
    {
        var answer = await SendAsync(method, url, method == "POST" ? "__RequestVerificationToken=" + Uri.EscapeDataString(await TokenAsync()) : null);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_consent_form_with_a_NUL_is_refused_with_400()
    {
        var answer = await SendAsync("POST", "/oauth/authorize", "decision=%00&client_id=x");
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/tags/core?handler=New", "a[b=1")]
    [InlineData("GET", "/auth/sign_up", "%C3%28[=%00")]
    [InlineData("POST", "/search", "q[=x")]
    [InlineData("GET", "/search?q[=x", null)]
    public async Task A_field_name_with_an_unclosed_bracket_is_ignored_rather_than_a_500(string method, string url, string? form)
    {
        var answer = await SendAsync(method, url, form is null ? null : form + "&__RequestVerificationToken=" + Uri.EscapeDataString(await TokenAsync()));
        Assert.True((int)answer.StatusCode < 500, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("/teams/%20")]
    [InlineData("/teams/%09?max_id=on")]
    [InlineData("/@%20")]
    [InlineData("/@%20/1")]
    [InlineData("/@%20/1/history")]
    [InlineData("/web/statuses/%20/edit")]
    [InlineData("/admin/policy/dictionaries/%20")]
    [InlineData("/admin/partners/%20")]
    public async Task A_blank_route_value_is_not_found_rather_than_a_500(string url)
    {
        var answer = await SendAsync("GET", url, null);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }
}
