using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Guards every <c>/twilio/*</c> request: a bounded, form-encoded body (413, 415) whose <c>X-Twilio-Signature</c>
/// checks out (403). Nothing behind it runs for a request that fails; one that passes carries a
/// <see cref="TwilioWebhook"/> feature and a rewound body for the proxy.
/// </summary>
internal sealed partial class TwilioWebhookMiddleware(
    RequestDelegate next,
    TwilioSignatureValidator validator,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    ILogger<TwilioWebhookMiddleware> logger)
{
    private readonly int _maxBodyBytes = options.Value.MaxWebhookBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        byte[] body = [];
        Dictionary<string, StringValues> form = [];
        if (HttpMethods.IsPost(request.Method))
        {
            if (request.ContentLength > _maxBodyBytes)
            {
                await Reject(context, StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large",
                    $"Twilio webhooks are at most {_maxBodyBytes} bytes.");
                return;
            }

            if (!IsFormEncoded(request.ContentType))
            {
                await Reject(context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                    "Unsupported media type", "Twilio voice webhooks are application/x-www-form-urlencoded.");
                return;
            }

            var read = await request.ReadBounded(_maxBodyBytes, context.RequestAborted);
            if (read is null)
            {
                await Reject(context, StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large",
                    $"Twilio webhooks are at most {_maxBodyBytes} bytes.");
                return;
            }

            body = read;
            using var reader = new FormReader(new MemoryStream(body, writable: false));
            form = await reader.ReadFormAsync(context.RequestAborted);
            request.Body = new MemoryStream(body, writable: false);
        }

        var url = validator.SignedUrl(context);
        if (!validator.IsValid(url, form, request.Headers["X-Twilio-Signature"]))
        {
            LogInvalidSignature(request.Path);
            await Reject(context, StatusCodes.Status403Forbidden, "invalid-signature", "Invalid signature",
                "X-Twilio-Signature does not match this request.");
            return;
        }

        context.Features.Set(new TwilioWebhook(url, body, form));
        await next(context);
    }

    private static bool IsFormEncoded(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private Task Reject(HttpContext context, int status, string reason, string title, string detail)
    {
        metrics.Rejected(context.Request.Path, reason);
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Twilio request to {Path}: invalid X-Twilio-Signature")]
    private partial void LogInvalidSignature(PathString path);
}
