namespace VoiceMesh.ServiceDefaults;

/// <summary>An options class bound to one configuration section.</summary>
public interface IConfigurationOptions
{
    static abstract string Section { get; }
}
