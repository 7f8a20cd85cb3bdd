using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gazouille.Features.Trust;

namespace Gazouille.Tests;

/// <summary>Signed posts: every published version has a proof that anyone holding the JWKS can check, and nobody else can forge.</summary>
public sealed class ProofTests : IAsyncLifetime
{
    private LeakGuardWorld _w = null!;

    public async ValueTask InitializeAsync() => _w = await LeakGuardWorld.CreateAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    private async Task<string> JwksAsync() => await (await _w.Anonymous.GetAsync("/.well-known/gazouille/keys")).Content.ReadAsStringAsync();

    private static ProofEntity Proof(JsonElement e) => new(e.Str("payload"), e.Str("signature"), e.Str("key_id"), e.Str("alg"));

    /// <summary>Checks a signature with nothing but the JWKS and .NET, as a third party would (not through the product's verifier).</summary>
    private static bool IndependentlyValid(ProofEntity proof, string jwks)
    {
        var key = JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Single(k => k.Str("kid") == proof.KeyId);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(key.Str("x")), Y = Base64Url.DecodeFromChars(key.Str("y")) },
        });
        return ecdsa.VerifyData(Encoding.UTF8.GetBytes(proof.Payload), Base64Url.DecodeFromChars(proof.Signature), HashAlgorithmName.SHA256);
    }

    [Fact]
    public async Task A_published_post_has_a_proof_in_the_contract_shape_that_verifies_and_says_who_when_and_for_whom()
    {
        var post = await _w.Alice.PostStatusAsync("Livraison de la v2 \"Mésange\" ce soir 🎉\nMerci à tous", "company");
        var json = await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof");
        Assert.Equal(["payload", "signature", "key_id", "alg"], json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("ES256", json.Str("alg"));
        var proof = Proof(json);
        var jwks = await JwksAsync();
        Assert.True(IndependentlyValid(proof, jwks));
        Assert.True(ProofVerifier.Verify(proof, jwks).Valid);

        var payload = JsonDocument.Parse(proof.Payload).RootElement;
        Assert.Equal(post.Id(), payload.Str("id"));
        Assert.Equal("alice", payload.Str("author"));
        Assert.Equal(_w.AliceId.ToString(System.Globalization.CultureInfo.InvariantCulture), payload.Str("author_id"));
        Assert.Equal("company", payload.Str("audience"));
        Assert.Equal("Livraison de la v2 \"Mésange\" ce soir 🎉\nMerci à tous", payload.Str("text"));
        Assert.Equal(0, payload.Int("edit"));
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("edited_at").ValueKind);
        Assert.Equal(post.Str("created_at"), payload.Str("created_at"));
        // Canonical: keys in sorted order, no whitespace between tokens, non-ASCII kept as UTF-8 (RFC 8785).
        var keys = payload.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.DoesNotContain("\": ", proof.Payload, StringComparison.Ordinal);
        Assert.Contains("Mésange", proof.Payload, StringComparison.Ordinal);
        Assert.Contains("\\n", proof.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_payloads_a_wrong_key_and_a_broken_signature_do_not_verify()
    {
        var post = await _w.Alice.PostStatusAsync("Réunion d'équipe jeudi à 10h", "team:ops");
        var proof = Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof"));
        var jwks = await JwksAsync();
        Assert.True(ProofVerifier.Verify(proof, jwks).Valid);

        foreach (var forged in new[]
        {
            proof.Payload.Replace("jeudi", "vendredi", StringComparison.Ordinal),
            proof.Payload.Replace("\"team:ops\"", "\"public\"", StringComparison.Ordinal),
            proof.Payload.Replace(post.Id(), (long.Parse(post.Id(), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            proof.Payload.Replace("\"alice\"", "\"bob\"", StringComparison.Ordinal),
            proof.Payload + " ",
        })
        {
            Assert.NotEqual(proof.Payload, forged);
            var check = ProofVerifier.Verify(proof with { Payload = forged }, jwks);
            Assert.False(check.Valid, forged);
            Assert.False(IndependentlyValid(proof with { Payload = forged }, jwks));
        }

        // Signed by someone else's key under the instance's key id.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var strangerSignature = Base64Url.EncodeToString(stranger.SignData(Encoding.UTF8.GetBytes(proof.Payload), HashAlgorithmName.SHA256));
        Assert.False(ProofVerifier.Verify(proof with { Signature = strangerSignature }, jwks).Valid);
        Assert.False(ProofVerifier.Verify(proof with { KeyId = "not-a-key-of-this-instance" }, jwks).Valid);
        Assert.False(ProofVerifier.Verify(proof with { Signature = "%%%" }, jwks).Valid);
        Assert.False(ProofVerifier.Verify(proof with { Alg = "none" }, jwks).Valid);
        Assert.False(ProofVerifier.Verify("{not json", jwks).Valid);
        Assert.False(ProofVerifier.Verify("""{"payload":"{}","signature":"AA","key_id":"x","alg":"ES256"}""", jwks).Valid);
    }

    [Fact]
    public async Task After_a_rotation_old_posts_verify_with_the_old_key_and_new_posts_use_the_new_one()
    {
        var before = await _w.Alice.PostStatusAsync("Avant la rotation", "company");
        var oldProof = Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{before.Id()}/proof"));

        await (await _w.Alice.PostAsync("/api/v1/gazouille/admin/keys/rotate", null)).ErrorAsync(HttpStatusCode.Forbidden);
        var rotated = await _w.Root.PostOkAsync("/api/v1/gazouille/admin/keys/rotate");
        var newKid = rotated.Str("kid");
        Assert.NotEqual(oldProof.KeyId, newKid);

        var after = await _w.Alice.PostStatusAsync("Après la rotation", "company");
        var newProof = Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{after.Id()}/proof"));
        Assert.Equal(newKid, newProof.KeyId);

        var jwks = await JwksAsync();
        var kids = JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")).ToList();
        Assert.Contains(oldProof.KeyId, kids);
        Assert.Contains(newKid, kids);
        Assert.Equal(oldProof, Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{before.Id()}/proof")));
        Assert.True(ProofVerifier.Verify(oldProof, jwks).Valid);
        Assert.True(ProofVerifier.Verify(newProof, jwks).Valid);
        // A proof does not verify under the other key.
        Assert.False(ProofVerifier.Verify(oldProof with { KeyId = newKid }, jwks).Valid);
        Assert.Contains(await _w.AuditAsync(), e => e.Action == "trust.rotate_key" && e.Actor == "@root");
    }

    [Fact]
    public async Task A_key_rotated_by_the_admin_cli_beside_the_running_server_signs_the_next_post()
    {
        // The server keeps the signing key in memory between posts: a rotation made elsewhere must still count at once.
        var before = Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{(await _w.Alice.PostStatusAsync("Avant", "company")).Id()}/proof"));
        Assert.Equal(before.KeyId, Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{(await _w.Alice.PostStatusAsync("Encore avant", "company")).Id()}/proof")).KeyId);

        var rotated = await GazouilleCli.RunAsync(_w.Factory.Data, "admin", "rotate-key");
        Assert.True(rotated.Exit == 0, rotated.Err);
        var newKid = rotated.Out.Trim().Split('\n')[^1];
        Assert.NotEqual(before.KeyId, newKid);

        var after = Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{(await _w.Alice.PostStatusAsync("Après", "company")).Id()}/proof"));
        Assert.Equal(newKid, after.KeyId);
        Assert.True(ProofVerifier.Verify(after, await JwksAsync()).Valid);
    }

    [Fact]
    public async Task Each_edit_gets_its_own_proof_and_the_whole_history_stays_verifiable()
    {
        var post = await _w.Alice.PostStatusAsync("Version un", "company");
        (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Version deux" })).EnsureSuccessStatusCode();
        (await _w.Alice.PutAsJsonAsync($"/api/v1/statuses/{post.Id()}", new { status = "Version trois" })).EnsureSuccessStatusCode();
        var jwks = await JwksAsync();

        var all = (await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{post.Id()}/proofs")).EnumerateArray().Select(Proof).ToList();
        Assert.Equal(3, all.Count);
        var texts = new[] { "Version un", "Version deux", "Version trois" };
        for (var i = 0; i < 3; i++)
        {
            var payload = JsonDocument.Parse(all[i].Payload).RootElement;
            Assert.Equal(i, payload.Int("edit"));
            Assert.Equal(texts[i], payload.Str("text"));
            Assert.Equal(i == 0 ? JsonValueKind.Null : JsonValueKind.String, payload.GetProperty("edited_at").ValueKind);
            Assert.True(ProofVerifier.Verify(all[i], jwks).Valid);
        }
        Assert.Equal(all[2], Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof")));
        Assert.Equal(all[1], Proof(await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof?edit=1")));
        await (await _w.Bob.GetAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof?edit=7")).NotFoundAsync();
        await (await _w.Bob.GetAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof?edit=x")).ErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_proof_answers_404_to_whoever_cannot_read_the_post_and_never_names_another_partner()
    {
        var team = await _w.Alice.PostStatusAsync("Seulement pour l'équipe ops", "team:ops");
        await _w.Bob.GetOkAsync($"/api/v1/gazouille/statuses/{team.Id()}/proof");
        foreach (var (name, client) in new[] { ("carol", _w.Carol), ("gina", _w.Gina), ("anonymous", _w.Anonymous) })
        {
            await (await client.GetAsync($"/api/v1/gazouille/statuses/{team.Id()}/proof")).NotFoundAsync();
            await (await client.GetAsync($"/api/v1/gazouille/statuses/{team.Id()}/proofs")).NotFoundAsync();
        }
        await (await _w.Bob.GetAsync("/api/v1/gazouille/statuses/424242424242/proof")).NotFoundAsync();
        await (await _w.Bob.GetAsync("/api/v1/gazouille/statuses/not-an-id/proof")).NotFoundAsync();

        // A second partner org shares the channel; a post listing both orgs must not reveal one to the other's guests (I3).
        await _w.Factory.CreatePartnerAsync("zeta");
        await _w.Factory.GrantAsync("ops", "zeta");
        var partners = await _w.Alice.PostStatusAsync("Bienvenue à nos partenaires", "partners:ops:acme,zeta");
        var proof = Proof(await _w.Gina.GetOkAsync($"/api/v1/gazouille/statuses/{partners.Id()}/proof"));
        Assert.DoesNotContain("zeta", proof.Payload, StringComparison.OrdinalIgnoreCase);
        var payload = JsonDocument.Parse(proof.Payload).RootElement;
        Assert.Equal("partners:ops", payload.Str("audience"));
        Assert.True(payload.GetProperty("audience_subset").GetBoolean());
        Assert.True(ProofVerifier.Verify(proof, await JwksAsync()).Valid);
    }

    [Fact]
    public async Task A_held_post_is_signed_only_when_a_moderator_approves_it()
    {
        var response = await LeakGuardWorld.PostAsync(_w.Alice, "Document confidentiel, ne pas diffuser : le planning", "partners:ops");
        var held = await response.OkJsonAsync();
        Assert.Equal("held", held.GetProperty("leak_guard").Str("state"));
        await (await _w.Alice.GetAsync($"/api/v1/gazouille/statuses/{held.Id()}/proof")).NotFoundAsync();
        await (await _w.Gina.GetAsync($"/api/v1/gazouille/statuses/{held.Id()}/proof")).NotFoundAsync();

        await _w.Mod.PostOkAsync($"/api/v1/gazouille/moderation/held/{held.Id()}/approve");
        var proof = Proof(await _w.Gina.GetOkAsync($"/api/v1/gazouille/statuses/{held.Id()}/proof"));
        Assert.True(ProofVerifier.Verify(proof, await JwksAsync()).Valid);
        Assert.Equal(1, await _w.CountAsync<Data.Entities.StatusProof>());
    }

    [Fact]
    public async Task The_jwks_is_an_rfc7517_set_of_public_ec_keys_for_es256_signatures()
    {
        var response = await _w.Anonymous.GetAsync("/.well-known/gazouille/keys");
        var json = await response.OkJsonAsync();
        var keys = json.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        foreach (var k in keys)
        {
            Assert.Equal("EC", k.Str("kty"));
            Assert.Equal("P-256", k.Str("crv"));
            Assert.Equal("sig", k.Str("use"));
            Assert.Equal("ES256", k.Str("alg"));
            Assert.Equal(32, Base64Url.DecodeFromChars(k.Str("x")).Length);
            Assert.Equal(32, Base64Url.DecodeFromChars(k.Str("y")).Length);
            Assert.False(k.TryGetProperty("d", out _), "the private key must never be published");
            Assert.Equal(InstanceKeys.Thumbprint(k.Str("x"), k.Str("y")), k.Str("kid"));
        }
    }

    [Fact]
    public async Task The_verify_page_checks_a_permalink_or_a_pasted_proof_without_signing_in_in_both_languages()
    {
        var post = await _w.Alice.PostStatusAsync("Annonce publique : portes ouvertes samedi", "public");
        var anonymous = WebBrowser.Anonymous(_w.Factory);
        var page = await anonymous.PageAsync($"/verify?post={Uri.EscapeDataString($"http://gazouille.test/@alice/{post.Id()}")}");
        Assert.True(page.Contains("Valid signature", StringComparison.Ordinal), page[page.IndexOf("<main", StringComparison.Ordinal)..]);
        Assert.Contains("@alice", page, StringComparison.Ordinal);
        Assert.Contains("portes ouvertes", page, StringComparison.Ordinal);

        var french = await WebBrowser.Anonymous(_w.Factory, "fr").PageAsync($"/verify?post={Uri.EscapeDataString($"/@alice/{post.Id()}")}");
        Assert.Contains("Signature valide", french, StringComparison.Ordinal);

        var proof = await (await _w.Anonymous.GetAsync($"/api/v1/gazouille/statuses/{post.Id()}/proof")).Content.ReadAsStringAsync();
        var valid = await anonymous.SubmitAsync("/verify", "/verify", ("post", proof));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Contains("Valid signature", await valid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var forged = await anonymous.SubmitAsync("/verify", "/verify", ("post", proof.Replace("samedi", "dimanche", StringComparison.Ordinal)));
        var forgedHtml = await forged.Content.ReadAsStringAsync();
        Assert.Contains("Invalid signature", forgedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("Valid signature", forgedHtml, StringComparison.Ordinal);

        // A post the reader may not read answers like a missing one; another site is not fetched.
        var team = await _w.Alice.PostStatusAsync("Secret d'équipe", "team:ops");
        var hidden = await anonymous.PageAsync($"/verify?post={Uri.EscapeDataString($"/@alice/{team.Id()}")}");
        Assert.Contains("There is no post you may read at this address.", hidden, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret d", hidden, StringComparison.Ordinal);
        var elsewhere = await anonymous.PageAsync($"/verify?post={Uri.EscapeDataString("https://elsewhere.example/@x/1")}");
        Assert.Contains("this instance only", elsewhere, StringComparison.Ordinal);

        // The thread page links to the check.
        var thread = await (await WebBrowser.SignInAsync(_w.Factory, "bob")).PageAsync($"/@alice/{post.Id()}");
        Assert.Contains("/verify?post=", thread, StringComparison.Ordinal);
    }
}
