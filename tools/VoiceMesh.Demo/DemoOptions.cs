namespace VoiceMesh.Demo;

/// <summary>Where the demo finds the mesh: the gateway and its API key, the Twilio simulator, and the URL Twilio signs.</summary>
internal sealed record DemoOptions(Uri Gateway, string ApiKey, Uri Simulator, Uri PublicBaseUrl)
{
    public static DemoOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        error = args.Count % 2 != 0 ? $"'{args[^1]}' has no value" : null;
        var gateway = Url(values, "--gateway", ref error);
        var simulator = Url(values, "--simulator", ref error);
        var publicBaseUrl = Url(values, "--public-base-url", ref error);
        if (!values.TryGetValue("--api-key", out var apiKey) || apiKey.Length == 0)
        {
            error ??= "--api-key is missing";
        }

        return error is null ? new DemoOptions(gateway!, apiKey!, simulator!, publicBaseUrl!) : null;
    }

    private static Uri? Url(Dictionary<string, string> values, string name, ref string? error)
    {
        if (values.TryGetValue(name, out var value) && Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        error ??= $"{name} needs an absolute http(s) URL";
        return null;
    }
}

/// <summary>The mesh did not do what the demo waited for, in time.</summary>
internal sealed class DemoException(string message) : Exception(message);
