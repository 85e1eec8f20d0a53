using Microsoft.Extensions.Options;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Sends requests the Twilio SDK addresses to <c>*.twilio.com</c> to <c>Twilio:ApiBaseUrl</c> instead, keeping
/// path and query, so the same SDK calls reach the simulator. Without that setting it changes nothing.
/// </summary>
public sealed class TwilioBaseAddressHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    private readonly Uri? _baseAddress = options.Value.ApiBaseUrl is { Length: > 0 } url ? new Uri(url) : null;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_baseAddress is not null && request.RequestUri is { } uri
            && uri.Host.EndsWith("twilio.com", StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = new UriBuilder(uri)
            {
                Scheme = _baseAddress.Scheme,
                Host = _baseAddress.Host,
                Port = _baseAddress.Port,
            }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
