using Microsoft.Extensions.Configuration;

namespace VoiceMesh.ServiceDefaults;

internal static class TwilioConfiguration
{
    /// <summary>
    /// Honours Twilio's conventional <c>TWILIO_ACCOUNT_SID</c> / <c>TWILIO_AUTH_TOKEN</c> variables as
    /// <c>Twilio:AccountSid</c> / <c>Twilio:AuthToken</c>, unless those keys are set explicitly.
    /// </summary>
    public static void AddTwilioEnvironmentNames(this IConfigurationManager configuration)
    {
        var mapped = new Dictionary<string, string?>();
        Map("TWILIO_ACCOUNT_SID", "Twilio:AccountSid");
        Map("TWILIO_AUTH_TOKEN", "Twilio:AuthToken");
        if (mapped.Count > 0)
        {
            configuration.AddInMemoryCollection(mapped);
        }

        void Map(string variable, string key)
        {
            var value = configuration[variable];
            if (!string.IsNullOrEmpty(value) && string.IsNullOrEmpty(configuration[key]))
            {
                mapped[key] = value;
            }
        }
    }
}
