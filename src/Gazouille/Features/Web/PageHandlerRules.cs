using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gazouille.Features.Web;

/// <summary>
/// Four traps of Razor Pages, found by the web fuzzer (docs/reliability.md): every public <c>On&lt;Verb&gt;&lt;Name&gt;</c> method
/// is a handler, so a page overriding <c>OnPageHandlerExecuting</c> answered the verb <c>PAGE</c> by binding a filter
/// context from the form (500); and a request whose handler matches nothing (<c>POST /@bob?handler=x</c>) rendered the page
/// without running any handler, on an empty model (500). Pages answer GET and POST only, and an unknown handler is 404.
/// And a field named with an unclosed bracket (<c>a[b=1</c>, in a form or a query string) made the jQuery-style value
/// providers throw (500); no form here uses jQuery's <c>a[b]</c> names, so those providers are removed.
/// And MVC turns an empty or blank value into null even for a property declared <c>string</c> (not <c>string?</c>):
/// <c>GET /teams/%20</c> set <c>Handle</c> to null and the page threw (500). A non-nullable string keeps what was sent.
/// </summary>
public static class PageHandlerRules
{
    public static void Apply(RazorPagesOptions o)
    {
        o.Conventions.AddFolderApplicationModelConvention("/", page =>
        {
            for (var i = page.HandlerMethods.Count - 1; i >= 0; i--)
                if (page.HandlerMethods[i].HttpMethod is not ("Get" or "Post")) page.HandlerMethods.RemoveAt(i);
        });
        o.Conventions.ConfigureFilter(new UnknownHandlerFilter());
    }

    public static void ApplyToBinding(MvcOptions o)
    {
        o.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
        o.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        o.ModelMetadataDetailsProviders.Add(new NonNullableStringsStayStrings());
    }

    private sealed class NonNullableStringsStayStrings : IDisplayMetadataProvider
    {
        public void CreateDisplayMetadata(DisplayMetadataProviderContext context)
        {
            // NullabilityInfoContext is not thread-safe, and metadata is built once per property: a new one each time.
            if (context.Key is { MetadataKind: ModelMetadataKind.Property, PropertyInfo: { } property } && property.PropertyType == typeof(string)
                && new NullabilityInfoContext().Create(property).WriteState == NullabilityState.NotNull)
                context.DisplayMetadata.ConvertEmptyStringToNull = false;
        }
    }

    private sealed class UnknownHandlerFilter : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            if (context.HandlerMethod is null && context.ActionDescriptor.HandlerMethods.Count > 0)
            {
                context.Result = new NotFoundResult();
                return;
            }
            await next();
        }
    }
}
