using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Twilio.Security;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> with the Twilio SDK's <see cref="RequestValidator"/> against the URL Twilio
/// requested: the configured public base URL plus the raw request target (never the <c>Host</c> header), or what
/// a trusted proxy forwarded. A webhook is checked with the tokens of the account it names (<see cref="TwilioAccounts"/>),
/// the primary and the secondary one, for rotation.
/// </summary>
internal sealed class TwilioSignatureValidator(IOptions<GatewayOptions> gateway, TwilioAccounts accounts)
{
    private readonly string _publicBaseUrl = gateway.Value.PublicBaseUrl.TrimEnd('/');
    private readonly HashSet<IPAddress> _trustedProxies = [.. gateway.Value.TrustedProxies.Select(IPAddress.Parse)];

    /// <summary>
    /// The URL Twilio requested, byte for byte: scheme, host, port, path and the undecoded query. A WebSocket upgrade
    /// (Media Streams) was requested as <c>wss://</c> (<c>ws://</c> for an http base), and that is what Twilio signs.
    /// </summary>
    public string SignedUrl(HttpContext context)
    {
        var url = RequestedUrl(context);
        if (!IsWebSocketUpgrade(context.Request))
        {
            return url;
        }

        return url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + url["https://".Length..]
            : url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + url["http://".Length..]
            : url;
    }

    /// <summary>An HTTP/1.1 <c>Upgrade: websocket</c> GET, or an HTTP/2 extended CONNECT for the websocket protocol.</summary>
    public static bool IsWebSocketUpgrade(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase)
        || request.HttpContext.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: var protocol }
            && string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase);

    private string RequestedUrl(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : request.PathBase + request.Path + request.QueryString;

        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && _trustedProxies.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
            && request.Headers["X-Forwarded-Host"] is { Count: > 0 } forwardedHost)
        {
            var scheme = request.Headers["X-Forwarded-Proto"] is { Count: > 0 } proto ? proto.ToString() : request.Scheme;
            var port = request.Headers["X-Forwarded-Port"] is { Count: > 0 } p ? ":" + p : "";
            return $"{scheme}://{forwardedHost}{port}{target}";
        }

        return _publicBaseUrl + target;
    }

    /// <summary>Whether <paramref name="accountSid"/> is an account this gateway serves.</summary>
    public bool Serves(string? accountSid) => accounts.Of(accountSid) is not null;

    /// <summary>Whether the signature is <paramref name="accountSid"/>'s, by its primary or secondary token; false for an account not served.</summary>
    public bool IsValid(string url, IReadOnlyDictionary<string, StringValues> form, string? signature, string? accountSid) =>
        accounts.Of(accountSid) is { } validators && IsValid(url, form, signature, validators);

    /// <summary>Whether the signature is any served account's: a request that names no account (a Media Streams upgrade).</summary>
    public bool IsValidForAnyAccount(string url, IReadOnlyDictionary<string, StringValues> form, string? signature) =>
        IsValid(url, form, signature, accounts.Any);

    private static bool IsValid(
        string url, IReadOnlyDictionary<string, StringValues> form, string? signature, IReadOnlyList<RequestValidator> validators)
    {
        if (string.IsNullOrEmpty(signature) || !Uri.IsWellFormedUriString(url, UriKind.Absolute))
        {
            return false;
        }

        var parameters = SigningParameters(form);
        for (var i = 0; i < validators.Count; i++)
        {
            if (validators[i].Validate(url, parameters, signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The SDK signs <c>name + value</c> for each key of a dictionary in ordinal order. A field Twilio sent more
    /// than once is signed as <c>name + value</c> for each distinct value in order, so its values are joined
    /// with the name between them: <c>K</c> + <c>v1 K v2</c> yields exactly that string.
    /// </summary>
    internal static Dictionary<string, string> SigningParameters(IReadOnlyDictionary<string, StringValues> form)
    {
        var parameters = new Dictionary<string, string>(form.Count, StringComparer.Ordinal);
        foreach (var (name, values) in form)
        {
            parameters[name] = values.Count <= 1
                ? values.ToString()
                : string.Join(name, values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        }

        return parameters;
    }
}
