namespace Gazouille.Features.Web;

/// <summary>The web app's strings: WebText.resx (English) and WebText.fr.resx (French) beside this file.</summary>
public sealed class WebText;
