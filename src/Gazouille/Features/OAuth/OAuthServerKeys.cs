using System.Security.Cryptography;
using System.Text.Json;
using Gazouille.Data;
using Gazouille.Data.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Gazouille.Features.OAuth;

/// <summary>
/// OpenIddict's signing and encryption keys, made once and kept in the database (protected by Data Protection, whose keys
/// are in the database too), so that every node and every restart signs and reads with the same keys.
/// </summary>
public sealed class OAuthServerKeys(IServiceScopeFactory scopes, IDataProtectionProvider protection) : IConfigureOptions<OpenIddictServerOptions>
{
    public const string SettingKey = "oauth.server_keys";
    private const string Purpose = "Gazouille.OAuthServerKeys.v1";

    private sealed record Stored(string Signing, string Encryption);

    // Options are built once, on the first OAuth request, after serve has applied the migrations: blocking once is fine.
    public void Configure(OpenIddictServerOptions options)
    {
        var (signing, encryption) = LoadOrCreateAsync().GetAwaiter().GetResult();
        options.SigningCredentials.Add(new SigningCredentials(signing, SecurityAlgorithms.EcdsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    private async Task<(ECDsaSecurityKey, SymmetricSecurityKey)> LoadOrCreateAsync()
    {
        var protector = protection.CreateProtector(Purpose);
        // Two nodes starting together may both make keys: the first insert wins and the other node reads it back.
        for (var attempt = 0; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GazouilleDb>();
            var value = await db.InstanceSettings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).FirstOrDefaultAsync();
            if (value is not null)
            {
                var stored = JsonSerializer.Deserialize<Stored>(protector.Unprotect(value))!;
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(stored.Signing), out _);
                return (new ECDsaSecurityKey(ecdsa) { KeyId = KeyIdOf(ecdsa) }, new SymmetricSecurityKey(Convert.FromBase64String(stored.Encryption)));
            }
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var made = new Stored(Convert.ToBase64String(fresh.ExportPkcs8PrivateKey()), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            db.InstanceSettings.Add(new InstanceSetting { Key = SettingKey, Value = protector.Protect(JsonSerializer.Serialize(made)) });
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another node stored its keys first: read them on the next turn.
            }
        }
    }

    /// <summary>The same key gets the same id on every node, so a JWKS never shows two ids for one key.</summary>
    private static string KeyIdOf(ECDsa key) =>
        Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 16).ToArray());
}
