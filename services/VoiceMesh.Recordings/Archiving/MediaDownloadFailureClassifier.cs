using Polly.CircuitBreaker;
using Polly.Timeout;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// The media download's part of the retry policy: Twilio answering 429/5xx after the HTTP pipeline's retries, an
/// open circuit, a timeout or no connection is an outage (the command is held until Twilio answers). A verification
/// failure is not classified: a few quick retries, then <c>_error</c>.
/// </summary>
internal sealed class MediaDownloadFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        MediaUnavailableException or BrokenCircuitException or TimeoutRejectedException => FailureKind.Outage,
        HttpRequestException { StatusCode: null } => FailureKind.Outage,
        _ => null,
    };
}
