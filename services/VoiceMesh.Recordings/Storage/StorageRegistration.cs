using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

/// <summary>Where archived recordings are kept: the filesystem backend (<c>Recordings:Storage:Directory</c>).</summary>
internal static class StorageRegistration
{
    public static IHostApplicationBuilder AddRecordingStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RecordingStorageOptions>();
        builder.Services.AddSingleton<IRecordingStorage, FileSystemRecordingStorage>();
        return builder;
    }
}
