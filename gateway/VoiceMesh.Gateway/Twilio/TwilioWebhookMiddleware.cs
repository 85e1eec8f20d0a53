using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Guards every <c>/twilio/*</c> request, each refusal decided before anything that could throw on it: Twilio's
/// methods only, exactly as written (405); a bounded, form-encoded body (413, 415) that arrives whole, well framed
/// and fast enough (Kestrel's 400 and 408); a form within the field limits (400), measured before it is parsed; an
/// <c>AccountSid</c> of an account this gateway serves and an <c>X-Twilio-Signature</c> made with that account's
/// primary or secondary token, any served account's for a Media Streams upgrade, which names none (403); and, once
/// signed, fields that can be stored (400). Nothing behind it runs for a request that fails; one that passes carries
/// a <see cref="TwilioWebhook"/> feature and a rewound body for the proxy.
/// </summary>
internal sealed partial class TwilioWebhookMiddleware(
    RequestDelegate next,
    TwilioSignatureValidator validator,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    ILogger<TwilioWebhookMiddleware> logger)
{
    private readonly GatewayOptions _limits = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!string.Equals(request.Method, HttpMethods.Post, StringComparison.Ordinal)
            && !string.Equals(request.Method, HttpMethods.Get, StringComparison.Ordinal))
        {
            context.Response.Headers.Allow = "GET, POST";
            await Reject(context, StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "Method not allowed",
                "Twilio requests are POST or GET, in upper case.");
            return;
        }

        byte[] body = [];
        Dictionary<string, StringValues> form = [];
        if (request.Method == HttpMethods.Post)
        {
            if (await ReadForm(context) is not { } read)
            {
                return;
            }

            (body, form) = read;
        }

        var url = validator.SignedUrl(context);
        var signature = request.Headers["X-Twilio-Signature"];
        bool valid;
        if (TwilioSignatureValidator.IsWebSocketUpgrade(request))
        {
            valid = validator.IsValidForAnyAccount(url, form, signature);
        }
        else
        {
            var account = AccountOf(form, request.Query);
            if (!validator.Serves(account))
            {
                LogUnknownAccount(request.Path, RecordingSids.IsValidAccount(account) ? account : null);
                await Forbid(context, "unknown-account");
                return;
            }

            valid = validator.IsValid(url, form, signature, account);
        }

        if (!valid)
        {
            LogInvalidSignature(request.Path);
            await Forbid(context, "invalid-signature");
            return;
        }

        var errors = TwilioWebhook.Check([.. form, .. request.Query]);
        if (errors.Count > 0)
        {
            metrics.Rejected(request.Path, "invalid-fields");
            await TypedResults.ValidationProblem(errors, title: "Invalid Twilio request").ExecuteAsync(context);
            return;
        }

        context.Features.Set(new TwilioWebhook(url, body, form));
        await next(context);
    }

    /// <summary>The body and its form, or null once the request has been answered with why not.</summary>
    private async Task<(byte[] Body, Dictionary<string, StringValues> Form)?> ReadForm(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _limits.MaxWebhookBodyBytes)
        {
            await TooLarge(context);
            return null;
        }

        if (!IsFormEncoded(request.ContentType))
        {
            await Reject(context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "Unsupported media type", "Twilio voice webhooks are application/x-www-form-urlencoded.");
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = _limits.MaxWebhookBodyBytes;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = new(_limits.MinRequestBodyBytesPerSecond, _limits.MinRequestBodyGrace);
        }

        byte[]? body;
        try
        {
            body = await request.ReadBounded(_limits.MaxWebhookBodyBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdict on the body as it arrived: malformed chunks (400), too slow (408), too large (413).
            LogBadBody(request.Path, ex.StatusCode, ex.Message);
            await Reject(context, ex.StatusCode, "bad-body", "Bad request body", ex.Message);
            return null;
        }

        if (body is null)
        {
            await TooLarge(context);
            return null;
        }

        var shape = WebhookForm.Measure(body);
        if (shape.Fields > _limits.MaxWebhookFields || shape.LongestName > _limits.MaxWebhookFieldNameLength)
        {
            await Reject(context, StatusCodes.Status400BadRequest, "form-too-large", "Form too large",
                $"Twilio webhooks have at most {_limits.MaxWebhookFields} fields with names of at most {_limits.MaxWebhookFieldNameLength} characters.");
            return null;
        }

        using var reader = new FormReader(new MemoryStream(body, writable: false))
        {
            ValueCountLimit = _limits.MaxWebhookFields,
            KeyLengthLimit = _limits.MaxWebhookFieldNameLength,
            ValueLengthLimit = _limits.MaxWebhookBodyBytes,
        };
        var form = await reader.ReadFormAsync(context.RequestAborted);
        request.Body = new MemoryStream(body, writable: false);
        return (body, form);
    }

    /// <summary>
    /// The account a webhook names: its <c>AccountSid</c>, from the body (or, for a GET, the query), or null when it
    /// names none or more than one.
    /// </summary>
    private static string? AccountOf(Dictionary<string, StringValues> form, IQueryCollection query)
    {
        string? account = null;
        foreach (var values in (ReadOnlySpan<StringValues>)[form.GetValueOrDefault("AccountSid"), query["AccountSid"]])
        {
            foreach (var value in values)
            {
                if (account is not null && !string.Equals(account, value, StringComparison.Ordinal))
                {
                    return null;
                }

                account = value;
            }
        }

        return account;
    }

    /// <summary>
    /// One answer for an unknown account and a bad signature alike, so a prober learns nothing of the accounts served;
    /// the log and <c>error.type</c> tell them apart.
    /// </summary>
    private Task Forbid(HttpContext context, string reason) =>
        Reject(context, StatusCodes.Status403Forbidden, reason, "Invalid signature", "X-Twilio-Signature does not match this request.");

    private static bool IsFormEncoded(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private Task TooLarge(HttpContext context) =>
        Reject(context, StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large",
            $"Twilio webhooks are at most {_limits.MaxWebhookBodyBytes} bytes.");

    private Task Reject(HttpContext context, int status, string reason, string title, string detail)
    {
        metrics.Rejected(context.Request.Path, reason);
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Twilio request to {Path}: invalid X-Twilio-Signature")]
    private partial void LogInvalidSignature(PathString path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Twilio request to {Path}: AccountSid {AccountSid} is no account this gateway serves (Gateway:Accounts)")]
    private partial void LogUnknownAccount(PathString path, string? accountSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Twilio request to {Path} with {Status}: {Reason}")]
    private partial void LogBadBody(PathString path, int status, string reason);
}
