// The part of mqtt-packet's untyped constants module that the traffic counter reads.
declare module 'mqtt-packet/constants.js' {
  const protocol: {
    /** PUBLISH fixed-header bytes, indexed [qos][dup][retain]; writeToStream writes these very buffers. */
    PUBLISH_HEADER: Buffer[][][]
  }
  export default protocol
}
