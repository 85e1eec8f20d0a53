namespace VoiceMesh.ServiceDefaults;

/// <summary>What a consumer's failure means for the message, and so how the endpoint's retry policy treats it.</summary>
public enum FailureKind
{
    /// <summary>Nothing known about it: a few quick retries, then the <c>_error</c> queue with its exception.</summary>
    Unknown,

    /// <summary>
    /// A dependency the work needs (PostgreSQL, Twilio) cannot be reached, or another delivery holds the work: the
    /// message is not at fault. It is held and tried again until the dependency answers, up to the outage hold.
    /// </summary>
    Outage,

    /// <summary>Another writer changed the stream since it was read: tried again at once on the new version.</summary>
    Conflict,
}

/// <summary>
/// Recognises the failures of one dependency. Each concern registers its own (event store, Twilio client); the
/// messaging retry policy asks every one of them.
/// </summary>
public interface IFailureClassifier
{
    /// <summary>The failure's kind, or null when it is not this dependency's.</summary>
    FailureKind? Classify(Exception exception);
}

/// <summary>Asks every registered <see cref="IFailureClassifier"/>; the first that knows the failure decides.</summary>
public sealed class FailureClassification(IEnumerable<IFailureClassifier> classifiers)
{
    private readonly IFailureClassifier[] _classifiers = [.. classifiers];

    public FailureKind Classify(Exception exception)
    {
        foreach (var classifier in _classifiers)
        {
            if (classifier.Classify(exception) is { } kind)
            {
                return kind;
            }
        }

        return FailureKind.Unknown;
    }
}

/// <summary>Thrown when another delivery of the same work holds it right now; treated as an outage (held, not failed).</summary>
public class WorkInProgressException(string message) : Exception(message);

internal sealed class WorkInProgressClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception is WorkInProgressException ? FailureKind.Outage : null;
}
