using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Features.OAuth;

/// <summary>Sign-out (the sign-in page is the Razor page beside this file, shared by the web app and the OAuth flow).</summary>
public static class SignInPages
{
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/sign_out", SignOut).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignOut(SignInManager<Account> signIn)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/auth/sign_in");
    }
}
