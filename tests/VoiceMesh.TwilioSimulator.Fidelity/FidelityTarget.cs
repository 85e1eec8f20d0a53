using Twilio.Clients;

namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>Where the contract cases run: real Twilio with its test credentials, or an in-process simulator.</summary>
internal sealed class FidelityTarget(string name, bool isRealTwilio, Func<string?, TwilioRestClient> createClient)
{
    public string Name { get; } = name;

    public bool IsRealTwilio { get; } = isRealTwilio;

    /// <summary>A fresh SDK client with the target's credentials, or with <paramref name="authToken"/> as the password.</summary>
    public TwilioRestClient CreateClient(string? authToken = null) => createClient(authToken);
}
