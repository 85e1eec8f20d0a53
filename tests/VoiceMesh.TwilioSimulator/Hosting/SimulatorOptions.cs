using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.TwilioSimulator.Hosting;

/// <summary>
/// The simulator's settings (section <c>Simulator</c>). Durations are on the simulator's clock: virtual in tests
/// (a <c>FakeTimeProvider</c>), real otherwise, and multiplied by <see cref="TimeScale"/>.
/// </summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>The account the REST API accepts (HTTP Basic user). <c>TWILIO_ACCOUNT_SID</c> when unset.</summary>
    [Required]
    [RegularExpression("^AC[0-9a-fA-F]{32}$")]
    public string AccountSid { get; set; } = "AC00000000000000000000000000000000";

    /// <summary>The account's auth token: HTTP Basic password and webhook signing key. <c>TWILIO_AUTH_TOKEN</c> when unset.</summary>
    [Required]
    public string AuthToken { get; set; } = "simulator-auth-token";

    /// <summary>
    /// Where webhooks are delivered, like a load balancer: scheme, host and port of each callback URL are replaced
    /// by this base (e.g. <c>http://127.0.0.1:8080</c>) while the signature covers the URL as given.
    /// </summary>
    public Uri? WebhookTarget { get; set; }

    /// <summary>Port on 127.0.0.1 for <see cref="TwilioSimulatorHost"/>; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Multiplies every call duration below (0.01 runs a real-time simulation 100 times faster).</summary>
    [Range(0.0001, 1000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>queued to initiated.</summary>
    public TimeSpan QueueDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>initiated to ringing (or to busy/failed).</summary>
    public TimeSpan RingDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>ringing to answered (or busy).</summary>
    public TimeSpan AnswerDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>answered to completed, unless the outcome script says otherwise.</summary>
    public TimeSpan TalkDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Answer to the machine-detection result.</summary>
    public TimeSpan AmdDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time one <c>&lt;Say&gt;</c> takes, per <c>loop</c>.</summary>
    public TimeSpan SayDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time one <c>&lt;Play&gt;</c> takes, per <c>loop</c>.</summary>
    public TimeSpan PlayDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Ringing time before no-answer when Calls create gives no <c>Timeout</c>.</summary>
    public TimeSpan DefaultRingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Real-time read timeout of one webhook attempt unless the URL has <c>#rt=</c>.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after a 5xx, a timeout or a connection failure unless the URL has <c>#rc=</c>.</summary>
    [Range(0, 5)]
    public int WebhookRetries { get; set; } = 1;

    /// <summary>Webhook requests in flight at once. 1 keeps delivery order equal to generation order.</summary>
    [Range(1, 1024)]
    public int WebhookConcurrency { get; set; } = 64;

    /// <summary>Seed of the random source behind webhook chaos.</summary>
    public int Seed { get; set; } = 1;

    internal TimeSpan Scaled(TimeSpan duration) => duration * TimeScale;
}
