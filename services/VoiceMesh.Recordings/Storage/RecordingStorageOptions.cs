using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

public sealed class RecordingStorageOptions : IConfigurationOptions
{
    public static string Section => "Recordings:Storage";

    /// <summary>The filesystem backend's folder; a relative path is under the content root.</summary>
    [Required]
    public string Directory { get; set; } = "recordings";
}
