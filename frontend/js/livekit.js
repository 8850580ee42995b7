// Joins a streaming avatar's LiveKit room (only when the host sends a `livekit_url`).
// livekit-client is served by the host from /vendor/ (pinned in package.json), never
// from a CDN; it is loaded on demand so offline sessions never need it.

/** Joins `url` with `token`, attaching the avatar's video and audio into `container`. */
export async function joinRoom(url, token, container) {
  const { Room, RoomEvent, Track } = await import('/vendor/livekit-client/livekit-client.esm.mjs');
  const room = new Room({ adaptiveStream: true, dynacast: true });
  const attach = (track) => {
    if (track.kind !== Track.Kind.Video && track.kind !== Track.Kind.Audio) return;
    const el = track.attach();
    container.appendChild(el);
  };
  room.on(RoomEvent.TrackSubscribed, attach);
  room.on(RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()));
  await room.connect(url, token);
  await room.startAudio().catch(() => { /* needs a gesture; Start was one */ });
  for (const p of room.remoteParticipants.values()) {
    for (const pub of p.trackPublications.values()) if (pub.track) attach(pub.track);
  }
  return {
    async leave() {
      await room.disconnect();
      container.replaceChildren();
    },
  };
}
