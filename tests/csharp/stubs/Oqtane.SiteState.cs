// Oqtane.Shared/Shared/SiteState.cs: the scoped per-request (and per-job-run) site context, signatures only.
// Kept apart from Oqtane.cs so that the era stubs (which replace Oqtane.cs) get it too: it exists in every era.
namespace Oqtane.Shared
{
    public class SiteState
    {
        public Oqtane.Models.Alias Alias { get; set; }
        public string AntiForgeryToken { get; set; }
        public string RemoteIPAddress { get; set; }
        public bool IsPrerendering { get; set; }
    }
}
