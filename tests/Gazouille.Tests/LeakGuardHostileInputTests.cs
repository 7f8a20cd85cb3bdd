using System.Net;
using System.Net.Http.Json;

namespace Gazouille.Tests;

/// <summary>Whatever is sent to the check endpoint or as a justification: a 4xx with {"error"} or a sound answer, never a 500.</summary>
public sealed class LeakGuardHostileInputTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private const string Check = "/api/v1/gazouille/leak_guard/check";

    [Fact]
    public async Task Bad_requests_to_the_check_endpoint_answer_4xx()
    {
        await (await _w.Alice.PostAsync(Check, null)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PostAsJsonAsync(Check, new { })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PostAsync(Check, ApiAssert.RawJson("{\"text\": \"abc"))).ErrorAsync(HttpStatusCode.BadRequest);
        await (await _w.Alice.PostAsync(Check, ApiAssert.RawJson("[\"text\"]"))).ErrorAsync(HttpStatusCode.BadRequest);
        await (await _w.Alice.PostAsync(Check, ApiAssert.RawJson("{\"text\": {\"nested\": 1}}"))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PostAsync(Check, ApiAssert.RawJson("{\"text\": \"\\ud800 lone\"}"))).ErrorAsync(HttpStatusCode.BadRequest);
        await (await _w.Alice.PostAsJsonAsync(Check, new { text = new string('a', 20_001) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var huge = await _w.Alice.PostAsJsonAsync(Check, new { text = new string('a', 2_000_000) });
        Assert.True(huge.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity, $"{huge.StatusCode}");
        await huge.ErrorAsync(huge.StatusCode);
        await (await _w.Alice.PostAsJsonAsync(Check, new { text = "x", audience = "partners:" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PostAsJsonAsync(Check, new { text = "x", audience = "everyone" })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _w.Alice.PostAsJsonAsync(Check, new { text = "x", audience = new string('a', 5000) })).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        // A number is text too, and an empty text has nothing to find.
        Assert.Equal("allow", (await (await _w.Alice.PostAsync(Check, ApiAssert.RawJson("{\"text\": 12345}"))).OkJsonAsync()).Str("decision"));
        Assert.Equal("allow", (await _w.Alice.PostOkAsync(Check, new { text = "" })).Str("decision"));
        Assert.Equal("allow", (await (await _w.Alice.PostAsync(Check, ApiAssert.Form(("text", "bonjour"), ("audience", "company")))).OkJsonAsync()).Str("decision"));
    }

    [Fact]
    public async Task Obfuscated_and_hostile_texts_are_judged_with_offsets_into_what_was_sent()
    {
        foreach (var text in new[]
        {
            "conf\u200Bidentiel, ne pas diffuser",             // zero-width space inside the word
            "\u202Econfidentiel\u202C, ne pas diffuser",       // right-to-left override around it
            "<script>alert('confidentiel')</script> ne pas diffuser",
            "'; DROP TABLE Statuses; -- confidentiel",
            "ｃｏｎｆｉｄｅｎｔｉｅｌ, ne pas diffuser",              // full-width letters
        })
        {
            var check = await _w.Alice.PostOkAsync(Check, new { text, audience = "partners:ops" });
            Assert.True(check.Str("decision") is "hold", $"{text}: {check}");
            foreach (var f in check.GetProperty("findings").EnumerateArray())
                Assert.Equal(text[f.Int("start")..f.Int("end")], f.Str("text"));
        }
        Assert.Equal(0, await _w.CountAsync<Gazouille.Data.Entities.Status>());
    }

    [Fact]
    public async Task Bad_justifications_are_refused_and_nothing_is_published()
    {
        const string money = "On a signé pour 2 millions d'euros.";
        foreach (var justification in new[] { "", "   ", new string('j', 501), "bell\u0007" })
        {
            var response = await LeakGuardWorld.PostAsync(_w.Alice, money, "partners:ops", justification);
            await response.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        }
        // A justification that is not text at all (an object) is no justification: the warning stands.
        var nested = await _w.Alice.PostAsync("/api/v1/statuses", ApiAssert.RawJson("{\"status\": \"" + money.Replace("'", "\\u0027", StringComparison.Ordinal) + "\", \"audience\": \"partners:ops\", \"leak_guard_override\": {\"a\": 1}}"));
        await nested.ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await _w.CountAsync<Gazouille.Data.Entities.Status>());
        // Hostile but real text is a justification like any other, and is logged as text.
        var hostile = "<script>x</script> '; DROP TABLE AuditEntries;-- \u202E ok";
        await (await LeakGuardWorld.PostAsync(_w.Alice, money, "partners:ops", hostile)).OkJsonAsync();
        Assert.Contains(await _w.AuditAsync(), a => a.Action == "leak_guard.override" && a.Details.Str("justification") == hostile.Trim());
    }
}
