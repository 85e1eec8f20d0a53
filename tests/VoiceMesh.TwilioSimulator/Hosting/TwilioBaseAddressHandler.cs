namespace VoiceMesh.TwilioSimulator.Hosting;

/// <summary>
/// Rewrites scheme, host and port of every request to <paramref name="baseAddress"/>, keeping path and query, so the
/// Twilio SDK (which addresses <c>https://api.twilio.com</c>) talks to the simulator:
/// <c>new TwilioRestClient(sid, token, httpClient: new SystemNetHttpClient(new HttpClient(handler)))</c>.
/// </summary>
public sealed class TwilioBaseAddressHandler(Uri baseAddress) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = baseAddress.Scheme, Host = baseAddress.Host, Port = baseAddress.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
